package dev.stagehand.staging.lab;

import java.math.BigInteger;
import java.util.Comparator;

/** Build versions in release order: R78-12499.0.0 &lt; R78-12500.0.0 &lt; R100-1.0.0; numbers compare as numbers. */
public enum VersionOrder implements Comparator<String> {
    INSTANCE;

    @Override
    public int compare(String a, String b) {
        String[] x = a.split("[^0-9]+");
        String[] y = b.split("[^0-9]+");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = compareNumbers(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return x.length != y.length ? Integer.compare(x.length, y.length) : a.compareTo(b);
    }

    private static int compareNumbers(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.compareTo(b);
        }
        return new BigInteger(a).compareTo(new BigInteger(b));
    }
}
