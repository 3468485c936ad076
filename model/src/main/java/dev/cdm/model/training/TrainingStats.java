package dev.cdm.model.training;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference's {@code training_stats} collector, reduced to what the loop reports: for every
 * name, the count, mean and standard deviation of the values reported since the last tick ({@code
 * Loss/loss} over every element of every loss tensor; progress and timing values once per tick).
 */
public final class TrainingStats {
  private final Map<String, double[]> moments = new LinkedHashMap<>(); // num, sum, sum of squares

  /** Adds {@code num} values with the given sum and sum of squares. */
  public synchronized void report(String name, double num, double sum, double sumSq) {
    double[] m = moments.computeIfAbsent(name, k -> new double[3]);
    m[0] += num;
    m[1] += sum;
    m[2] += sumSq;
  }

  /** A single value (the reference's {@code report0}); returns it for inline use. */
  public double report0(String name, double value) {
    report(name, 1, value, value * value);
    return value;
  }

  /** The collected moments as the reference's {@code as_dict()} and resets the collector. */
  public synchronized JsonObject drain() {
    JsonObject o = new JsonObject();
    for (Map.Entry<String, double[]> e : moments.entrySet()) {
      double[] m = e.getValue();
      double num = m[0];
      double mean = num > 0 ? m[1] / num : 0;
      double var = num > 0 ? Math.max(m[2] / num - mean * mean, 0) : 0;
      JsonObject s = new JsonObject();
      s.addProperty("num", num);
      s.addProperty("mean", mean);
      s.addProperty("std", Math.sqrt(var));
      o.add(e.getKey(), s);
    }
    moments.clear();
    return o;
  }

  /** dnnlib.util.format_time. */
  public static String formatTime(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    } else if (s < 60 * 60) {
      return String.format(java.util.Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    } else if (s < 24 * 60 * 60) {
      return String.format(
          java.util.Locale.ROOT, "%dh %02dm %02ds", s / 3600, (s / 60) % 60, s % 60);
    }
    return String.format(
        java.util.Locale.ROOT, "%dd %02dh %02dm", s / 86400, (s / 3600) % 24, (s / 60) % 60);
  }
}
