package dev.stagehand.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The terminal's bars: a job's state stands apart from the speed before it. */
class JobProgressTest {
    @Test
    void theStateIsNotGluedToTheSpeed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var jobs = new ObjectMapper().readTree("[{\"id\":1,\"artifact\":\"test_image\",\"state\":\"SUCCEEDED\","
                + "\"bytes_done\":157286400,\"bytes_total\":157286400}]");
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            JobProgress bars = new JobProgress.Bars(out);
            bars.show(jobs);
            bars.close();
        }
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.contains(" SUCCEEDED"), drawn);
        assertFalse(drawn.contains("/sSUCCEEDED"), drawn);
    }
}
