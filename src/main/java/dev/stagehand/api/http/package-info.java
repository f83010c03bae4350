/**
 * What sits between Jetty and the routes: request bodies read without a thread, limits on what a
 * connection may cost, Jetty's own errors as one line, /static through Jetty's ResourceServlet
 * (Range, real-path checks), files still landing streamed as they land, and HTTP metrics.
 */
package dev.stagehand.api.http;
