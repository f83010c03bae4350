package dev.stagehand.staging.transfer;

/**
 * CRC32C arithmetic the JDK lacks: the CRC of two pieces joined, from each piece's CRC and the
 * second one's length (zlib's crc32_combine, over the Castagnoli polynomial). Slices of an object
 * downloaded in parallel are checked as one object without reading it again.
 */
public final class Crc32c {
    /** The Castagnoli polynomial, reversed. */
    private static final int POLY = 0x82F63B78;

    private Crc32c() {}

    /** CRC32C of A followed by B, given crc(A), crc(B) and B's length. */
    static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int[] odd = new int[32];
        int[] even = new int[32];
        odd[0] = POLY; // the operator for one zero bit
        int row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        int crc = crcA;
        long len = lengthB;
        do { // apply len zero bytes to crc(A), one bit of len at a time
            square(even, odd);
            if ((len & 1) != 0) {
                crc = times(even, crc);
            }
            len >>>= 1;
            if (len == 0) {
                break;
            }
            square(odd, even);
            if ((len & 1) != 0) {
                crc = times(odd, crc);
            }
            len >>>= 1;
        } while (len != 0);
        return crc ^ crcB;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(int[] square, int[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }
}
