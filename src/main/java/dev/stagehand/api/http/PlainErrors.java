package dev.stagehand.api.http;

import dev.stagehand.common.CallerText;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a malformed request line, an over-long URI or header, a missing
 * static file) as one plain line like every other error, never an HTML page that echoes the
 * request. One for the server, one for the servlet context (each layer has its own handler).
 */
public final class PlainErrors {
    private PlainErrors() {}

    /** Writes one plain line on a servlet response, unless it is already on its way. */
    static void send(HttpServletResponse response, int status, String message) {
        if (response.isCommitted()) {
            return;
        }
        try {
            response.resetBuffer();
            response.setStatus(status);
            response.setContentType("text/plain;charset=utf-8");
            response.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | IllegalStateException ignored) {
            // the client is gone
        }
    }

    static String line(int status, String message) {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
        return status + " " + CallerText.escape(reason);
    }

    /** What both handlers answer to a request Jetty could not parse. */
    static ByteBuffer plainBadMessage(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
        return BufferUtil.toBuffer(line(status, reason), StandardCharsets.UTF_8);
    }

    // The two handlers repeat each other because each layer's handler has its own base class
    // (the servlet one's dispatches to error pages), and each override must call its own super.
    static final class ForServer extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
                List<Charset> charsets, int code, String message, Throwable cause) throws IOException {
            return super.generateAcceptableResponse(request, response, callback, "text/plain", List.of(StandardCharsets.UTF_8),
                    code, message, cause);
        }

        @Override
        protected void writeErrorPlain(Request request, PrintWriter writer, int code, String message, Throwable cause) {
            writer.write(line(code, message));
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            return plainBadMessage(status, reason, fields);
        }
    }

    static final class ForContext extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
                List<Charset> charsets, int code, String message, Throwable cause) throws IOException {
            return super.generateAcceptableResponse(request, response, callback, "text/plain", List.of(StandardCharsets.UTF_8),
                    code, message, cause);
        }

        @Override
        protected void writeErrorPlain(Request request, PrintWriter writer, int code, String message, Throwable cause) {
            writer.write(line(code, message));
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            return plainBadMessage(status, reason, fields);
        }
    }
}
