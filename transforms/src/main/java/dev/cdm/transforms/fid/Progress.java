package dev.cdm.transforms.fid;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a long job in one JVM: every few seconds a line with the count, the rate and the
 * ETA (when the total is known). Thread-safe; each worker JVM reports its own share.
 */
public final class Progress {
  private static final long INTERVAL_NANOS = 5_000_000_000L;

  private final String what;
  private final long total;
  private final long start = System.nanoTime();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong lastReport = new AtomicLong(System.nanoTime());

  public Progress(String what, long total) {
    this.what = what;
    this.total = total;
  }

  public void add(long n) {
    long d = done.addAndGet(n);
    long now = System.nanoTime();
    long last = lastReport.get();
    if ((now - last > INTERVAL_NANOS || (total > 0 && d >= total))
        && lastReport.compareAndSet(last, now)) {
      System.err.println(line(d, now));
    }
  }

  String line(long d, long now) {
    double secs = Math.max((now - start) / 1e9, 1e-9);
    double rate = d / secs;
    if (total > 0) {
      double eta = rate > 0 ? Math.max(total - d, 0) / rate : Double.NaN;
      return String.format(Locale.ROOT, "%s: %d/%d (%.1f%%), %.1f/s, ETA %.0f s",
          what, d, total, 100.0 * d / total, rate, eta);
    }
    return String.format(Locale.ROOT, "%s: %d, %.1f/s", what, d, rate);
  }
}
