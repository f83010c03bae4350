package dev.stagehand.db;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/** The database cannot be opened or brought up to date: one sentence for the operator, no stack trace. */
public final class DatabaseSetupError extends RuntimeException {
    public DatabaseSetupError(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether a later start may succeed by itself: the server could not reach the database (down,
     * restarting, no network yet at boot), as opposed to a setting or a grant to fix.
     */
    public boolean temporary() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
