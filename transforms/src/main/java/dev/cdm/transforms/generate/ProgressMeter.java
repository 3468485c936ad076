package dev.cdm.transforms.generate;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Progress of a long job inside one JVM: counts done items across the JVM's worker threads and
 * logs the rate and an ETA at most every {@code intervalMillis}.
 */
public final class ProgressMeter {
  private static final Logger LOG = Logger.getLogger(ProgressMeter.class.getName());

  private final String what;
  private final String unit;
  private final long total;
  private final long intervalMillis;
  private final long startNanos = System.nanoTime();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong();

  /**
   * @param what names the job in the log line
   * @param unit what is counted, e.g. "images"
   */
  public ProgressMeter(String what, String unit, long total, long intervalMillis) {
    this.what = what;
    this.unit = unit;
    this.total = total;
    this.intervalMillis = intervalMillis;
  }

  /** Records {@code n} more done items; logs when the interval has passed or all are done. */
  public void add(long n) {
    long d = done.addAndGet(n);
    long now = System.nanoTime();
    long last = lastLog.get();
    boolean finished = total > 0 && d >= total;
    if (finished || (now - last) / 1_000_000 >= intervalMillis) {
      if (lastLog.compareAndSet(last, now)) {
        LOG.info(line(d, now));
      }
    }
  }

  /** The progress line for {@code d} items done at {@code nowNanos}. */
  String line(long d, long nowNanos) {
    double secs = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    double rate = d / secs;
    String eta =
        total > 0 && rate > 0 ? formatSeconds(Math.max(0, total - d) / rate) : "unknown";
    return String.format(
        java.util.Locale.ROOT,
        "%s: %d/%s %s, %.2f %s/s, ETA %s",
        what, d, total > 0 ? Long.toString(total) : "?", unit, rate, unit, eta);
  }

  public long done() {
    return done.get();
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return String.format(java.util.Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  }
}
