package dev.cdm.transforms.dataset;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of one phase of a run on this JVM, printed to stderr at most every few seconds with a
 * rate and an ETA. Keyed by run and phase, so that all worker threads of a local runner share one
 * line; on a cluster each worker reports its own share.
 */
public final class ProgressMeter {
  private static final Map<String, ProgressMeter> METERS = new ConcurrentHashMap<>();
  private static final long INTERVAL_NANOS = 3_000_000_000L;

  private final String label;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong lastPrint = new AtomicLong(System.nanoTime());
  private final PrintStream out = System.err;

  private ProgressMeter(String label, long total) {
    this.label = label;
    this.total = total;
  }

  /** The meter of {@code key} (run id + phase), created on first use. */
  public static ProgressMeter of(String key, String label, long total) {
    return METERS.computeIfAbsent(key, k -> new ProgressMeter(label, total));
  }

  /** Forgets a run's meters (the driver calls this when the run ends). */
  public static void release(String runId) {
    METERS.keySet().removeIf(k -> k.startsWith(runId));
  }

  public void add(long n) {
    long d = done.addAndGet(n);
    long now = System.nanoTime();
    long last = lastPrint.get();
    if (now - last >= INTERVAL_NANOS && lastPrint.compareAndSet(last, now)) {
      print(d, now);
    }
  }

  /** Prints the final line of this phase. */
  public void finish() {
    print(done.get(), System.nanoTime());
  }

  private void print(long d, long now) {
    double secs = Math.max(1e-9, (now - startNanos) / 1e9);
    double rate = d / secs;
    String eta = rate > 0 && total > d ? formatSeconds((total - d) / rate) : "0s";
    out.printf(
        "%s: %d/%d images (%.0f%%), %.0f img/s, elapsed %s, ETA %s%n",
        label, d, total, total == 0 ? 100.0 : 100.0 * d / total, rate, formatSeconds(secs), eta);
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format("%dh%02dm", t / 3600, t % 3600 / 60)
        : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
  }
}
