package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.training.StepListener;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * Wall time per phase of the training step ({@code TrainBench timing=1}), seen through the loop's
 * {@link StepListener}: each replica's {@code enqueue} (host time to queue its forward, backward
 * and gradient flattening) and {@code done} (until its device has finished), then the serial phases
 * {@code accumulate}, {@code reduce}, {@code adam}, {@code broadcast}, {@code ema}. Each phase ends
 * with a sync of the devices (a one-element copy to the host), so a phase's time includes its
 * device work; the syncs cost a little throughput, which is why real runs do not time.
 *
 * <p>The first {@code warmup} steps are not counted; {@code afterStep} is then told of every step,
 * as {@link StepListener#afterEachStep} would be.
 *
 * <p>Contention on the engine lock of {@code SeededRandomSource} is not counted here; record it
 * with JFR ({@code jdk.JavaMonitorEnter} events).
 */
final class PhaseTimes implements StepListener {
  private final NDManager root;
  private final List<Device> devices;
  private final long warmup;
  private final LongConsumer afterStep;
  private final AtomicLongArray replicaStart;
  private final Map<String, Long> totals = new TreeMap<>();
  private long phaseStart;
  private long steps;

  /** {@code devices}: the loop's, in replica order; the syncs allocate on {@code root}. */
  PhaseTimes(NDManager root, List<Device> devices, long warmup, LongConsumer afterStep) {
    this.root = root;
    this.devices = devices;
    this.warmup = warmup;
    this.afterStep = afterStep;
    this.replicaStart = new AtomicLongArray(devices.size());
  }

  @Override
  public void stepStarted() {
    phaseStart = System.nanoTime();
  }

  @Override
  public void replicaStarted(int replica) {
    replicaStart.set(replica, System.nanoTime());
  }

  @Override
  public void replicaQueued(int replica) {
    long t0 = replicaStart.get(replica);
    add("replica" + replica + ".enqueue", System.nanoTime() - t0);
    sync(devices.get(replica));
    add("replica" + replica + ".done", System.nanoTime() - t0);
  }

  @Override
  public void phaseQueued(String phase) {
    if (!phase.equals("accumulate")) { // the replicas have synced their own devices
      for (Device d : devices) {
        sync(d);
      }
    }
    long now = System.nanoTime();
    add(phase, now - phaseStart);
    phaseStart = now;
  }

  @Override
  public void stepDone(long stepsThisRun) {
    synchronized (this) {
      steps++;
      if (stepsThisRun == warmup) {
        totals.clear();
        steps = 0;
      }
    }
    afterStep.accept(stepsThisRun);
  }

  /** Adds {@code nanos} to {@code phase} (thread-safe: replica threads report their own phases). */
  private synchronized void add(String phase, long nanos) {
    totals.merge(phase, nanos, Long::sum);
  }

  /** Waits for everything queued on {@code device}. */
  private void sync(Device device) {
    try (NDManager m = root.newSubManager(device)) {
      m.zeros(new Shape(1)).toFloatArray();
    }
  }

  /** One line: mean milliseconds per step of every phase. */
  synchronized String report() {
    StringBuilder b = new StringBuilder("{\"phase_ms_per_step\":{");
    String sep = "";
    for (Map.Entry<String, Long> e : totals.entrySet()) {
      b.append(sep)
          .append(
              String.format(
                  Locale.ROOT, "\"%s\":%.2f", e.getKey(), e.getValue() / 1e6 / Math.max(steps, 1)));
      sep = ",";
    }
    return b.append("},\"steps\":").append(steps).append('}').toString();
  }
}
