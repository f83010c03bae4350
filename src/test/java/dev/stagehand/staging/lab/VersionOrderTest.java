package dev.stagehand.staging.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionOrderTest {
    @Test
    void versionsSortByTheirNumbersNotAsText() {
        List<String> sorted = List.of("R9-900.0.0", "R10-999.0.0", "R10-1000.0.0", "R10-1000.9.0", "R10-1000.10.0",
                "R100-1.0.0");
        List<String> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(VersionOrder.INSTANCE);
        assertEquals(sorted, shuffled);
    }

    @Test
    void aLongerVersionWithTheSamePrefixIsNewerAndHugeNumbersDoNotOverflow() {
        assertEquals(-1, Integer.signum(VersionOrder.INSTANCE.compare("R1-1.0", "R1-1.0.1")));
        assertEquals(1, Integer.signum(VersionOrder.INSTANCE.compare("R1-99999999999999999999.0", "R1-9999999999.0")));
        assertEquals(0, VersionOrder.INSTANCE.compare("R1-1.0", "R1-1.0"));
    }

    @Test
    void namesWithoutNumbersFallBackToTextOrder() {
        assertEquals(-1, Integer.signum(VersionOrder.INSTANCE.compare("alpha", "beta")));
    }
}
