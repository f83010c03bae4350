package dev.stagehand.archive;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Storage client, built the way stagehand needs it: the endpoint and credentials from
 * configuration (the client itself ignores STORAGE_EMULATOR_HOST), one try per call (our retry
 * policy retries, and each try shows in the attempt history), and its errors said as sentences.
 */
final class GcsClient {
    private static final Logger log = LoggerFactory.getLogger(GcsClient.class);
    private static final String GOOGLE = "https://storage.googleapis.com";

    private final Storage storage;
    private final String endpoint;
    private final String credentials;
    private final boolean hasCredentials;

    private GcsClient(Storage storage, String endpoint, String credentials, boolean hasCredentials) {
        this.storage = storage;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.hasCredentials = hasCredentials;
    }

    static GcsClient create(ArchiveSources.GcsSettings settings) {
        StorageOptions.Builder options = StorageOptions.http()
                .setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1)
                        .setTotalTimeoutDuration(Duration.ofMinutes(10)).build());
        String endpoint = settings.endpoint() != null ? settings.endpoint() : GOOGLE;
        if (settings.endpoint() != null) {
            options.setHost(settings.endpoint()).setProjectId("stagehand");
        }
        String credentials;
        boolean has = false;
        if (settings.anonymous()) {
            options.setCredentials(NoCredentials.getInstance());
            credentials = "none (anonymous: public buckets only)";
        } else {
            try {
                GoogleCredentials adc = GoogleCredentials.getApplicationDefault();
                options.setCredentials(adc);
                credentials = "Application Default Credentials (" + adc.getClass().getSimpleName() + ")";
                has = true;
            } catch (IOException missing) {
                options.setCredentials(NoCredentials.getInstance());
                credentials = "none found: " + NO_CREDENTIALS_HINT;
            }
        }
        log.info("GCS endpoint {}, credentials: {}", endpoint, credentials);
        return new GcsClient(options.build().getService(), endpoint, credentials, has);
    }

    static final String NO_CREDENTIALS_HINT = "give Application Default Credentials (`gcloud auth application-default login`,"
            + " or GOOGLE_APPLICATION_CREDENTIALS naming a key file), or use --gcs-anonymous for public buckets";

    Storage storage() {
        return storage;
    }

    /** {@code e} as a sentence about {@code what} (e.g. "listing gs://b/t/R1") in {@code bucket}. */
    ArchiveError translate(StorageException e, String what, String bucket) {
        Throwable cause = e.getCause();
        int code = e.getCode();
        if (cause instanceof UnknownHostException) {
            return new ArchiveError("cannot reach GCS at " + endpoint + " while " + what + ": unknown host "
                    + cause.getMessage() + " (no network or DNS?)", false, e);
        }
        if (cause instanceof ConnectException) {
            return new ArchiveError("cannot connect to GCS at " + endpoint + " while " + what + ": " + cause.getMessage(), false, e);
        }
        if (cause instanceof SocketTimeoutException) {
            return new ArchiveError("GCS at " + endpoint + " did not answer in time while " + what, false, e);
        }
        return switch (code) {
            case 401 -> new ArchiveError("GCS refused the credentials (401) while " + what + (hasCredentials
                    ? "; they may have expired" : "; " + NO_CREDENTIALS_HINT), true, e);
            case 403 -> new ArchiveError("permission denied (403) while " + what + ": the credentials in use ("
                    + credentials + ") may not read bucket " + bucket, true, e);
            case 404 -> new ArchiveError("not found (404) while " + what + ": bucket " + bucket
                    + " does not exist or the object is gone", true, e);
            case 408, 429, 500, 502, 503, 504 -> new ArchiveError("GCS is unavailable (" + code + ") while " + what
                    + "; trying again later", false, e);
            default -> new ArchiveError("GCS error " + (code == 0 ? "" : "(" + code + ") ") + "while " + what + ": "
                    + e.getMessage(), false, e);
        };
    }
}
