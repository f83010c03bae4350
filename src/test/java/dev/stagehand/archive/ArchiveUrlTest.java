package dev.stagehand.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.common.InvalidRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveUrlTest {
    @Test
    void aGsUrlSplitsIntoBucketAndBuildPathWithoutTrailingSlashes() {
        ArchiveUrl url = ArchiveUrl.parse(" gs://chromeos-image-archive/eve-release/R78-12499.0.0// ");
        assertEquals("gs://chromeos-image-archive/eve-release/R78-12499.0.0", url.url());
        assertEquals("gs", url.scheme());
        assertEquals("chromeos-image-archive", url.bucket());
        assertEquals("eve-release/R78-12499.0.0", url.path());
        assertEquals("R78-12499.0.0", new BuildRef(url, url.path()).name());
    }

    @Test
    void aFileUrlIsAnAbsolutePathWithoutABucket() {
        ArchiveUrl url = ArchiveUrl.parse("file:///srv/archive/eve/R1");
        assertEquals("file", url.scheme());
        assertEquals(null, url.bucket());
        assertEquals("srv/archive/eve/R1", url.path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "eve-release/R1", "http://host/a/b", "gs://bucket", "gs://bucket/", "gs:///a/b",
            "gs://bucket/a//b", "gs://bucket/a/./b", "gs://bucket/a/../b", "gs://bucket/a\\b", "file://relative/path",
            "gs://bucket/a/b?x=1", "gs://bucket/a/b#frag", "gs://bucket/a\nb", "gs://bucket/a\tb", "gs://bucket/a\u0000b",
            "gs://bucket/a\uFFFDb"})
    void urlsThatCannotNameABuildAreTheCallersMistake(String raw) {
        InvalidRequest e = assertThrows(InvalidRequest.class, () -> ArchiveUrl.parse(raw));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "Bucket", "-bucket", "bucket-", "b_k t", "192.168.5.4", "googbucket", "my-google-bucket",
            "a..b", "bucket$", "ok.but.a-part-of-sixty-four-characters-is-too-long-for-gcs-to-accept-it-xx"})
    void bucketNamesFollowGcsRules(String bucket) {
        assertThrows(InvalidRequest.class, () -> ArchiveUrl.parse("gs://" + bucket + "/target/R1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromeos-image-archive", "abc", "a_b.c-d", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com"})
    void realBucketNamesPass(String bucket) {
        assertEquals(bucket, ArchiveUrl.parse("gs://" + bucket + "/target/R1").bucket());
    }

    @Test
    void anOverlongUrlIsRefusedWithoutEchoingIt() {
        String raw = "gs://bucket/" + "a".repeat(ArchiveUrl.MAX_LENGTH);
        InvalidRequest e = assertThrows(InvalidRequest.class, () -> ArchiveUrl.parse(raw));
        assertTrue(e.getMessage().length() < 100, e.getMessage());
    }
}
