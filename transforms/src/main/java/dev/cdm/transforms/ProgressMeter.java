package dev.cdm.transforms;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress line of every long job ({@code dataset}, {@code generate}, {@code ref}, {@code
 * fid}): one line on stderr after the first batch, then at most every few seconds, and when the
 * total is reached, always in the same form:
 *
 * <pre>
 *   generate out: 128/50000 images (0%), 2.31 images/s, elapsed 55s, ETA 5h59m
 * </pre>
 *
 * Keyed by run and phase, so that all worker threads of a JVM share one meter; on a cluster each
 * worker JVM reports its own share.
 */
public final class ProgressMeter {
  private static final Map<String, ProgressMeter> METERS = new ConcurrentHashMap<>();
  private static final long INTERVAL_NANOS = 5_000_000_000L;

  private final String label;
  private final String unit;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final AtomicLong done = new AtomicLong();

  /** When the last line was printed; 0 until the first. */
  private final AtomicLong lastPrint = new AtomicLong();

  /** The count of the last line printed (-1: none). */
  private final AtomicLong printed = new AtomicLong(-1);

  private final PrintStream out = System.err;

  private ProgressMeter(String label, String unit, long total) {
    this.label = label;
    this.unit = unit;
    this.total = total;
  }

  /**
   * The meter of {@code key} (run id + phase), created on first use.
   *
   * @param label names the job at the start of the line, e.g. "generate out"
   * @param unit what is counted, e.g. "images"
   * @param total how many the job makes (0 = unknown: no percentage or ETA)
   */
  public static ProgressMeter of(String key, String label, String unit, long total) {
    return METERS.computeIfAbsent(key, k -> new ProgressMeter(label, unit, total));
  }

  /**
   * Forgets the meters whose key starts with {@code runId} (the driver calls this when a run ends).
   */
  public static void release(String runId) {
    METERS.keySet().removeIf(k -> k.startsWith(runId));
  }

  /** Records {@code n} more done items; prints a line after the first, then every few seconds. */
  public void add(long n) {
    long d = done.addAndGet(n);
    long now = System.nanoTime();
    long last = lastPrint.get();
    boolean due =
        last == 0 || now - last >= INTERVAL_NANOS || (total > 0 && d >= total && d - n < total);
    if (due && lastPrint.compareAndSet(last, now)) {
      printed.set(d);
      out.println(line(d, now));
    }
  }

  /** Prints the final line of this phase, unless the last line already said it. */
  public void finish() {
    long d = done.get();
    if (printed.getAndSet(d) != d) {
      out.println(line(d, System.nanoTime()));
    }
  }

  public long done() {
    return done.get();
  }

  /** The progress line for {@code d} items done at {@code nowNanos}. */
  public String line(long d, long nowNanos) {
    double secs = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    double rate = d / secs;
    StringBuilder b = new StringBuilder(label).append(": ").append(d);
    if (total > 0) {
      b.append('/')
          .append(total)
          .append(' ')
          .append(unit)
          .append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * d / total));
    } else {
      b.append(' ').append(unit);
    }
    b.append(String.format(Locale.ROOT, rate < 10 ? ", %.2f %s/s" : ", %.0f %s/s", rate, unit));
    b.append(", elapsed ").append(formatSeconds(secs));
    if (total > 0) {
      b.append(", ETA ")
          .append(rate > 0 ? formatSeconds(Math.max(0, total - d) / rate) : "unknown");
    }
    return b.toString();
  }

  /** 42s, 3m05s, 2h07m. */
  public static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60)
        : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
  }
}
