package dev.stagehand.bench;

import java.nio.file.Path;

/** {@code gcloud storage cp} pointed at a fake GCS, with a configuration of its own (no credentials, no prompts). */
final class GcloudCp {
    private final String env;

    private GcloudCp(String env) {
        this.env = env;
    }

    /** Empty when gcloud is not installed. */
    static java.util.Optional<GcloudCp> at(Path configDir, String endpoint) throws Exception {
        if (!new java.io.File("/usr/bin/gcloud").canExecute()
                && new ProcessBuilder("bash", "-c", "command -v gcloud").start().waitFor() != 0) {
            return java.util.Optional.empty();
        }
        String env = "CLOUDSDK_CONFIG=" + configDir + " CLOUDSDK_CORE_DISABLE_PROMPTS=1 ";
        BenchReport.timeShell(env + "gcloud config set api_endpoint_overrides/storage " + endpoint + "/storage/v1/ >/dev/null 2>&1 && "
                + env + "gcloud config set auth/disable_credentials true >/dev/null 2>&1");
        return java.util.Optional.of(new GcloudCp(env));
    }

    /** Copies {@code gsUrl} to {@code out}: the wall time in seconds. */
    double copy(String gsUrl, Path out) throws Exception {
        return BenchReport.timeShell(env + "gcloud storage cp --no-user-output-enabled " + gsUrl + " " + out);
    }
}
