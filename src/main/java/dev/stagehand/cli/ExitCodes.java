package dev.stagehand.cli;

/**
 * What the client commands exit with, for scripts. 2 is also what picocli gives a command line
 * it cannot parse: either way the request never ran.
 */
final class ExitCodes {
    static final int OK = 0;
    /** The server staged nothing or not all that was required; its reason is on stderr. */
    static final int FAILED = 1;
    /** The server refused the request, could not be reached, or the command line was wrong. */
    static final int REFUSED = 2;
    /** The database could not be reached just now (EX_TEMPFAIL): a supervisor should start it again. */
    static final int UNAVAILABLE = 75;
    /** A fault in this program (EX_SOFTWARE), so that it is never mistaken for a failed stage. */
    static final int INTERNAL = 70;

    private ExitCodes() {}
}
