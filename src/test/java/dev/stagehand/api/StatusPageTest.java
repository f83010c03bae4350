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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/** The status page at / in a real headless Chromium, against the real server. */
class StatusPageTest {
    static final String BUCKET = "bkt";
    static final String PATH = "target/R8-1.0.0";
    static final String URL = "gs://" + BUCKET + "/" + PATH;
    static final int MB = 1 << 20;

    @TempDir Path dir;

    @Test
    void aRunningDownloadsBarGrowsAndAFailedJobShowsItsErrorAndCanBeRetried() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs); Browser browser = Browser.start(1400, 900)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(8 * MB, 1));
            assertEquals(500, server.get("/stage?archive_url=" + URL + "&artifacts=autotest&wait_for_upload_s=0").statusCode());
            long failed = server.jobs("FAILED", URL).get(0).id();
            gcs.faults(BUCKET, PATH + "/stateful.tgz").delayPerMegabyteMs = 800; // about 6 s
            assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful&async=True").body());
            long running = server.jobs(null, URL).stream().filter(j -> j.artifact().equals("stateful")).findFirst().orElseThrow().id();

            browser.driver.get(server.base() + "/");
            By bar = By.cssSelector("#running tr[data-job='" + running + "'] [role=progressbar]");
            long[] first = new long[1];
            Eventually.await(Duration.ofSeconds(30), "the running job's progress bar to show bytes", () -> {
                first[0] = valueOf(browser, bar);
                return first[0] > 0;
            });
            Eventually.await(Duration.ofSeconds(30), "the progress bar to move without a reload", () -> valueOf(browser, bar) > first[0]);
            WebElement row = browser.driver.findElement(By.cssSelector("#running tr[data-job='" + running + "']"));
            assertTrue(row.getText().contains("stateful") && row.getText().contains(PATH), row.getText());
            assertTrue(row.getText().contains("1 of 3"), "attempts: " + row.getText());
            assertTrue(row.getText().contains(server.stagehand.queue().node()), "node: " + row.getText());

            WebElement failure = browser.driver.findElement(By.cssSelector("#failures tr[data-job='" + failed + "']"));
            assertTrue(failure.getText().contains("autotest not found in archive"), failure.getText());
            browser.screenshot("status-page");
            failure.findElement(By.cssSelector("button[data-retry='" + failed + "']")).click();
            Eventually.await(Duration.ofSeconds(30), "Retry to queue a new attempt", () -> server.attempts(failed).size() == 2);
            Eventually.await(Duration.ofSeconds(30), "the download to finish and leave the running table",
                    () -> browser.driver.findElements(bar).isEmpty() && server.job(running).state().name().equals("SUCCEEDED"));
        }
    }

    @Test
    void namesWithHtmlInThemAreShownAsText() throws Exception {
        String build = "target/<em>R9</em>";
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs); Browser browser = Browser.start(1400, 900)) {
            String url = URLEncoder.encode("gs://" + BUCKET + "/" + build, StandardCharsets.UTF_8);
            assertEquals("Success", server.get("/stage?archive_url=" + url + "&artifacts=stateful&async=True").body());
            browser.driver.get(server.base() + "/");
            Eventually.await(Duration.ofSeconds(30), "the build to be listed", () -> cellsWith(browser, build).size() > 0);
            assertEquals(0, browser.driver.findElements(By.cssSelector("main em")).size(), "no element was made from the name");
            assertEquals(build, cellsWith(browser, build).get(0).getText());
        }
    }

    @Test
    void thePageFitsAPhoneWidth() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); Server server = Server.start(dir, gcs); Browser browser = Browser.start(390, 844)) {
            gcs.put(BUCKET, PATH + "/stateful.tgz", random(1000, 2));
            assertEquals("Success", server.get("/stage?archive_url=" + URL + "&artifacts=stateful").body());
            browser.driver.get(server.base() + "/");
            Eventually.await(Duration.ofSeconds(30), "the page to show the build", () -> cellsWith(browser, PATH).size() > 0);
            long overflow = (Long) ((JavascriptExecutor) browser.driver).executeScript(
                    "return document.documentElement.scrollWidth - window.innerWidth;");
            assertTrue(overflow <= 0, "the page is wider than the phone by " + overflow + " px");
            browser.screenshot("status-page-phone");
        }
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
