package dev.cdm.model.training;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per phase of the training step (benchmarks only: {@code TrainBench timing=1}). Each
 * phase ends with a sync of the devices it used, so a phase's time includes its device work; the
 * syncs cost a little throughput, which is why this is off in real runs.
 */
public final class PhaseTimes {
  private final Map<String, Long> totals = new TreeMap<>();
  private long steps;

  /** Adds {@code nanos} to {@code phase} (thread-safe: replica threads report their own phases). */
  public synchronized void add(String phase, long nanos) {
    totals.merge(phase, nanos, Long::sum);
  }

  public synchronized void stepDone() {
    steps++;
  }

  public synchronized void reset() {
    totals.clear();
    steps = 0;
  }

  /** Waits for everything queued on {@code device} (a one-element device-to-host copy). */
  public static void sync(NDManager manager, Device device) {
    try (NDManager m = manager.newSubManager(device)) {
      m.zeros(new Shape(1)).toFloatArray();
    }
  }

  /** One line: mean milliseconds per step of every phase. */
  public synchronized String report() {
    StringBuilder b = new StringBuilder("{\"phase_ms_per_step\":{");
    String sep = "";
    for (Map.Entry<String, Long> e : totals.entrySet()) {
      b.append(sep).append(String.format(Locale.ROOT, "\"%s\":%.2f", e.getKey(), e.getValue() / 1e6 / Math.max(steps, 1)));
      sep = ",";
    }
    return b.append("},\"steps\":").append(steps).append('}').toString();
  }
}
