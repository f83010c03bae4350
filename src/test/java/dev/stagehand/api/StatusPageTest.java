package dev.stagehand.api;

import static dev.stagehand.testing.TestArchives.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stagehand.testing.Browser;
import dev.stagehand.testing.Eventually;
import dev.stagehand.testing.FakeGcs;
import dev.stagehand.testing.Server;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/** The status page at / in a real headless Chromium, against the real server. */
@Tag("integration")
class StatusPageTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R8-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final int MB = 1 << 20;

    @TempDir Path dir;

    /** The README's screenshot command lets the page poll first: what it would capture is the live page, not "connecting…". */
    @Test
    void theReadmeScreenshotCommandCapturesThePageAfterItsFirstPoll() throws Exception {
        Browser.start(800, 600).close(); // installs chromium when missing
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        java.util.regex.Matcher command = java.util.regex.Pattern.compile("\n    (chromium --headless[^\n]*\\\n[^\n]*)").matcher(readme);
        assertTrue(command.find(), "the README shows the command");
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs)) {
            String asShown = command.group(1).replace("\\\n", " ");
            String dumpDom = asShown.replaceAll("--screenshot=\\S+", "--dump-dom").replace("http://127.0.0.1:8080/", server.base() + "/");
            Process p = new ProcessBuilder("bash", "-c", dumpDom).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String dom = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor());
            assertTrue(dom.contains("id=\"connection\"") && !dom.contains("connecting…"), "after the first poll: " + dom);
        }
    }

    @Test
    void aRunningDownloadsBarGrowsAndAFailedJobShowsItsErrorAndCanBeRetried() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs); Browser browser = Browser.start(1400, 900)) {
            try {
                gcs.put(BUCKET, PATH + "/stateful.tgz", random(8 * MB, 1));
                assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
                long failed = server.jobs("FAILED", URL).get(0).id();
                FakeGcs.Faults download = gcs.faults(BUCKET, PATH + "/stateful.tgz");
                download.holdAt = MB;
                assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
                long running = server.jobs(null, URL).stream().filter(j -> j.artifact().equals("stateful")).findFirst().orElseThrow().id();

                browser.driver.get(server.base() + "/");
                By bar = By.cssSelector("#running tr[data-job='" + running + "'] [role=progressbar]");
                long[] first = new long[1];
                Eventually.await(Duration.ofSeconds(30), "the running job's progress bar to show bytes", () -> {
                    first[0] = valueOf(browser, bar);
                    return first[0] > 0;
                });
                // Progress is recorded at most every 500 ms, when bytes arrive: the hold moves on a
                // megabyte at a time, each at least 600 ms after the last, until a write lands.
                long[] hold = {MB, System.nanoTime()};
                Eventually.await(Duration.ofSeconds(30), "the progress bar to move without a reload", () -> {
                    if (System.nanoTime() - hold[1] > 600_000_000L && hold[0] < 7 * MB) {
                        hold[0] += MB;
                        hold[1] = System.nanoTime();
                        download.holdAt = hold[0];
                    }
                    return valueOf(browser, bar) > first[0];
                });
                String row = textOf(browser, "#running tr[data-job='" + running + "']");
                assertTrue(row.contains("stateful") && row.contains(PATH), row);
                assertTrue(row.contains(" / 8.0 MiB"), "bytes done of total: " + row);
                assertTrue(row.matches("(?s).*\\d+(\\.\\d)? [KM]iB/s.*"), "rate: " + row);
                assertTrue(row.matches("(?s).*\\d+ s.*"), "time left: " + row);
                assertTrue(row.contains("1 of 3"), "attempts: " + row);
                assertTrue(row.contains(server.stagehand.queue().node()), "node: " + row);
                assertEquals("1", textOf(browser, "[data-count='Running'] .value"));
                assertEquals("1", textOf(browser, "[data-count='Failed (24 h)'] .value"));
                String disk = textOf(browser, "#disk");
                assertTrue(disk.contains("Staged ") && disk.contains("Free on disk "), disk);
                String health = textOf(browser, "#health");
                assertTrue(health.contains("CPU") && health.contains("HTTP connections") && health.contains("Downloads here\n1"), health);
                String build = textOf(browser, "#builds tbody tr");
                assertTrue(build.startsWith(PATH) && build.contains("ago"), "build with size and last read: " + build);
                String node = textOf(browser, "#nodes tr[data-key='" + server.stagehand.queue().node() + "']");
                assertTrue(node.contains("alive") && node.contains("shared volume") && node.contains("ago"),
                        "the node with its state, placement and last check-in: " + node);

                String failure = textOf(browser, "#failures tr[data-job='" + failed + "']");
                assertTrue(failure.contains("autotest not found in archive"), failure);
                browser.screenshot("status-page");
                browser.driver.findElement(By.cssSelector("button[data-retry='" + failed + "']")).click();
                Eventually.await(Duration.ofSeconds(30), "Retry to queue a new attempt", () -> server.attempts(failed).size() == 2);
                download.holdAt = -1;
                Eventually.await(Duration.ofSeconds(30), "the download to finish and leave the running table",
                        () -> browser.driver.findElements(bar).isEmpty() && server.job(running).state().name().equals("SUCCEEDED"));
            } finally {
                gcs.releaseHolds();
            }
        }
    }

    @Test
    void retryAsksForTheAdminTokenAndKeepsItForTheTab() throws Exception {
        String token = "page-admin-token-0123456789";
        Path tokenFile = java.nio.file.Files.writeString(dir.resolve("token"), token);
        try (FakeGcs gcs = new FakeGcs();
             Server server = Server.start(Server.settings(dir, gcs).withAccess(new dev.stagehand.Settings.Access(tokenFile)));
             Browser browser = Browser.start(1400, 900)) {
            gcs.put(BUCKET, "other/object", random(10, 4));
            assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
            long failed = server.jobs("FAILED", URL).get(0).id();
            browser.driver.get(server.base() + "/");
            By retry = By.cssSelector("button[data-retry='" + failed + "']");
            By tokenField = By.cssSelector("#failures input[data-token]");
            Eventually.await(Duration.ofSeconds(30), "the failure's Retry button", () -> !browser.driver.findElements(retry).isEmpty());
            browser.driver.findElement(retry).click();
            Eventually.await(Duration.ofSeconds(30), "the page to ask for the token", () -> !browser.driver.findElements(tokenField).isEmpty());
            assertEquals(1, server.attempts(failed).size(), "refused without the token");
            browser.driver.findElement(tokenField).sendKeys("wrong-token");
            browser.driver.findElement(tokenField).submit();
            Eventually.await(Duration.ofSeconds(30), "the wrong token to be refused",
                    () -> textOf(browser, "#failures tr[data-job='" + failed + "']").contains("That token was refused"));
            browser.driver.findElement(tokenField).sendKeys(token);
            browser.driver.findElement(tokenField).submit();
            Eventually.await(Duration.ofSeconds(30), "Retry with the token to queue a new attempt", () -> server.attempts(failed).size() == 2);
            assertEquals(token, ((JavascriptExecutor) browser.driver).executeScript(
                    "return sessionStorage.getItem('stagehand-admin-token');"), "kept for the tab");
        }
    }

    @Test
    void aLimitBeingHitIsShown() throws Exception {
        var s = Server.settings(dir, (FakeGcs) null);
        try (FakeGcs gcs = new FakeGcs();
             Server server = Server.start(Server.settings(dir, gcs).withQueue(s.queue().withLimits(
                     new dev.stagehand.common.CallerLimits(1, 100, 100, 100))));
             Browser browser = Browser.start(1400, 900)) {
            assertEquals(429, server.get("/stage?archive_url=" + URL + "&artifacts=stateful,autotest").statusCode());
            browser.driver.get(server.base() + "/");
            Eventually.await(Duration.ofSeconds(30), "the page to say which limit is hit", () -> {
                WebElement limits = browser.driver.findElement(By.id("limits"));
                return limits.isDisplayed() && limits.getText().contains("--max-request-items (1 refused)");
            });
        }
    }

    @Test
    void namesAndErrorsWithHtmlInThemAreShownAsText() throws Exception {
        String build = "target/<img src=x onerror=window.__hit=1>R9";
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs); Browser browser = Browser.start(1400, 900)) {
            gcs.put(BUCKET, "other/object", random(10, 4)); // the bucket exists: the failure names the build
            String url = URLEncoder.encode("gs://" + BUCKET + "/" + build, StandardCharsets.UTF_8);
            assertEquals(500, server.get("/stage?archive_url=" + url + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
            browser.driver.get(server.base() + "/");
            Eventually.await(Duration.ofSeconds(30), "the failure to be listed", () -> cellsWith(browser, build).size() > 0);
            String failure = textOf(browser, "#failures tbody tr");
            assertTrue(failure.contains("autotest not found in archive") && failure.contains("<img src=x"), failure);
            assertEquals(0, browser.driver.findElements(By.cssSelector("main img")).size(), "no element was made from the name");
            assertEquals(Boolean.FALSE, ((JavascriptExecutor) browser.driver).executeScript("return '__hit' in window;"));
        }
    }

    @Test
    void thePageFitsAPhoneWidth() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs); Browser browser = Browser.start(390, 844)) {
            try {
                gcs.put(BUCKET, PATH + "/stateful.tgz", random(4 * MB, 2));
                gcs.faults(BUCKET, PATH + "/stateful.tgz").holdAt = MB;
                assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
                assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
                browser.driver.get(server.base() + "/");
                Eventually.await(Duration.ofSeconds(30), "a running row, a failure and the build to be shown",
                        () -> browser.driver.findElements(By.cssSelector("#running tbody tr [role=progressbar]")).size() == 1
                                && browser.driver.findElements(By.cssSelector("#failures tbody tr")).size() == 1
                                && cellsWith(browser, PATH).size() >= 2);
                JavascriptExecutor js = (JavascriptExecutor) browser.driver;
                long overflow = (Long) js.executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
                assertTrue(overflow <= 0, "the page is wider than the phone by " + overflow + " px");
                @SuppressWarnings("unchecked")
                List<String> wide = (List<String>) js.executeScript("return [...document.querySelectorAll('.scroll')]"
                        + ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.firstElementChild.id);");
                assertEquals(List.of(), wide, "tables that scroll sideways on a phone");
                browser.screenshot("status-page-phone");
            } finally {
                gcs.releaseHolds();
            }
        }
    }

    private static String textOf(Browser browser, String css) {
        return browser.driver.findElement(By.cssSelector(css)).getText();
    }

    private static long valueOf(Browser browser, By bar) {
        try {
            List<WebElement> found = browser.driver.findElements(bar);
            return found.isEmpty() ? -1 : Long.parseLong(found.get(0).getAttribute("aria-valuenow"));
        } catch (org.openqa.selenium.StaleElementReferenceException finished) {
            return -1;
        }
    }

    private static List<WebElement> cellsWith(Browser browser, String text) {
        return browser.driver.findElements(By.cssSelector("main td")).stream().filter(td -> {
            try {
                return td.getText().equals(text);
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return false;
            }
        }).toList();
    }
}
