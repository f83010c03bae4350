package dev.stagehand.metrics;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * This machine's load over the last few seconds, from the kernel's counters through OSHI: CPU
 * use, network and disk bytes per second. Lab tooling picks the least loaded staging server by
 * these (check_health), as it did with the devserver's psutil figures.
 */
public final class HostLoad implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostLoad.class);

    /** Rates over the last window; zero until the first window has passed. */
    public record Snapshot(double cpuPercent, double networkSentPerSecond, double networkReceivedPerSecond,
            double diskReadPerSecond, double diskWrittenPerSecond) {
        public double networkTotalPerSecond() {
            return networkSentPerSecond + networkReceivedPerSecond;
        }

        public double diskTotalPerSecond() {
            return diskReadPerSecond + diskWrittenPerSecond;
        }
    }

    private record Counters(long nanos, long[] cpuTicks, long sent, long received, long read, long written) {}

    private final HardwareAbstractionLayer hardware = new SystemInfo().getHardware();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "host-load");
        t.setDaemon(true);
        return t;
    });
    private volatile Snapshot last = new Snapshot(0, 0, 0, 0, 0);
    private Counters previous;

    public HostLoad(Duration window) {
        previous = read();
        sampler.scheduleAtFixedRate(this::sample, window.toMillis(), window.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Snapshot now() {
        return last;
    }

    private void sample() {
        try {
            Counters current = read();
            double seconds = Math.max(1e-3, (current.nanos() - previous.nanos()) / 1e9);
            CentralProcessor cpu = hardware.getProcessor();
            last = new Snapshot(100 * cpu.getSystemCpuLoadBetweenTicks(previous.cpuTicks()),
                    rate(current.sent() - previous.sent(), seconds), rate(current.received() - previous.received(), seconds),
                    rate(current.read() - previous.read(), seconds), rate(current.written() - previous.written(), seconds));
            previous = current;
        } catch (RuntimeException e) {
            log.debug("sampling the host's load failed", e);
        }
    }

    private static double rate(long delta, double seconds) {
        return Math.max(0, delta) / seconds;
    }

    private Counters read() {
        long sent = 0;
        long received = 0;
        for (NetworkIF net : hardware.getNetworkIFs(true)) { // loopback too: lab hosts may share a machine
            net.updateAttributes();
            sent += net.getBytesSent();
            received += net.getBytesRecv();
        }
        long read = 0;
        long written = 0;
        for (HWDiskStore disk : hardware.getDiskStores()) {
            disk.updateAttributes();
            read += disk.getReadBytes();
            written += disk.getWriteBytes();
        }
        return new Counters(System.nanoTime(), hardware.getProcessor().getSystemCpuLoadTicks(), sent, received, read, written);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
