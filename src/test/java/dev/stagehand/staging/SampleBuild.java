package dev.stagehand.staging;

import static dev.stagehand.testing.TestArchives.random;
import static dev.stagehand.testing.TestArchives.tar;
import static dev.stagehand.testing.TestArchives.text;

import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.TestArchives;
import dev.stagehand.testing.TestArchives.Compression;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A realistic Chrome OS build in the fake GCS: one object per catalogue entry. */
final class SampleBuild {
    static final String BUCKET = "chromeos-image-archive";
    static final String BUILD = "R78-12499.0.0";
    static final String PATH = "eve-release/" + BUILD;
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final int IMAGE_SIZE = 2 * 1024 * 1024;

    private SampleBuild() {}

    static void upload(FakeGcs gcs) throws IOException {
        upload(gcs, BUILD);
    }

    /** The same build under another version name, at {@code eve-release/BUILD}. */
    static void upload(FakeGcs gcs, String build) throws IOException {
        String path = "eve-release/" + build;
        java.util.function.BiConsumer<String, byte[]> put = (name, content) -> gcs.put(BUCKET, path + "/" + name, content);
        uploadAs(put, build);
    }

    private static void uploadAs(java.util.function.BiConsumer<String, byte[]> put, String build) throws IOException {
        put(put, "chromeos_" + build + "_eve_full_dev.bin", random(200_000, 1));
        put(put, "chromeos_" + build + "_eve_full_dev.bin.json", text("{\"sha256_hex\":\"x\"}"));
        put(put, "chromeos_" + build + "_" + build + "_eve_delta_dev.bin", random(50_000, 2));
        put(put, "chromeos_R77-12000.0.0_" + build + "_eve_delta_dev.bin", random(50_000, 3));
        put(put, "stateful.tgz", tar().file("var_new/x", "stateful").build(Compression.GZIP));
        put(put, "image.zip", imageZip());
        put(put, "chromeos_12499.0.0_eve_recovery_stable-channel_mp-v2.bin", random(30_000, 4));
        put(put, "autotest.tar", tar().file("autotest/client/common.py", "client")
                .file("autotest/test_suites/control.bvt", "excluded").build(Compression.NONE));
        put(put, "autotest_packages.tar", tar().file("client-autotest.tar.bz2", "pkg").build(Compression.NONE));
        put(put, "control_files.tar", tar().file("autotest/server/site_tests/login/control", "NAME = 'login'\nATTRIBUTES = 'suite:bvt'")
                .build(Compression.NONE));
        put(put, "test_suites.tar.bz2", tar().file("autotest/test_suites/control.bvt", "SUITE = 'bvt'").build(Compression.BZIP2));
        put(put, "au_control.tar.bz2", tar().file("autotest/au_control_files/control.paygen", "AU").build(Compression.BZIP2));
        put(put, "firmware_from_source.tar.bz2", tar().file("bios.bin", "fw").build(Compression.BZIP2));
        put(put, "debug.tgz", tar().file("debug/breakpad/chrome/ABC/chrome.sym", "MODULE")
                .file("debug/usr/lib/debug/huge.debug", "not wanted").build(Compression.GZIP));
        put(put, "debug_breakpad.tar.xz", tar().file("debug/breakpad/libc/DEF/libc.sym", "MODULE libc").build(Compression.XZ));
        Map<String, byte[]> factory = new LinkedHashMap<>();
        factory.put("factory_test/chromiumos_factory_image.bin", random(40_000, 5));
        factory.put("factory_shim/factory_install_shim.bin", random(40_000, 6));
        put(put, "ChromeOS-factory-R78-12499.0.0-eve.zip", TestArchives.zip(factory));
        put(put, "full_dev_part_KERN.bin.gz", random(10_000, 7));
        put(put, "full_dev_part_ROOT.bin.gz", random(10_000, 8));
        put(put, "logs/build.log", text("log line"));
        put(put, "autotest_server_package.tar.bz2", tar().file("autotest/server/autoserv", "server").build(Compression.BZIP2));
        for (String channel : new String[] {"canary", "dev", "beta", "stable"}) {
            put(put, "paygen_au_" + channel + "_control.tar.bz2",
                    tar().file("autotest/au_control_files/control." + channel, "AU " + channel).build(Compression.BZIP2));
        }
        put(put, "test_binaries.tar.gz", tar().file("bin/iota_test", "iota").build(Compression.GZIP));
        put(put, "board_utils.tar.gz", tar().file("utils/flash", "flash").build(Compression.GZIP));
    }

    static Map<String, byte[]> images() {
        Map<String, byte[]> images = new LinkedHashMap<>();
        images.put("chromiumos_base_image.bin", random(IMAGE_SIZE, 10));
        images.put("chromiumos_test_image.bin", random(IMAGE_SIZE, 11));
        images.put("recovery_image.bin", random(IMAGE_SIZE, 12));
        images.put("chromiumos_image.bin", random(IMAGE_SIZE, 13));
        return images;
    }

    static byte[] imageZip() throws IOException {
        return TestArchives.zip(images());
    }

    static void put(FakeGcs gcs, String name, byte[] content) {
        gcs.put(BUCKET, PATH + "/" + name, content);
    }

    private static void put(java.util.function.BiConsumer<String, byte[]> put, String name, byte[] content) {
        put.accept(name, content);
    }
}
