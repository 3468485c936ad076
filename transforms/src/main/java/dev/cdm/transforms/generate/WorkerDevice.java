package dev.cdm.transforms.generate;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The device of a worker slot: the CPU, or one GPU per slot.
 *
 * <p>A slot is the thread that runs a task: a Flink task slot runs its chain of operators (e.g.
 * sampling, then the detector of a streaming FID) in one thread, and a DirectRunner worker is one
 * thread of its pool. The first device DoFn set up in a thread takes the GPU that the fewest live
 * threads of this JVM hold (the lowest index on a tie) and every later DoFn of that thread gets the
 * same GPU; a finished thread's GPU is free again. So a TaskManager with one slot per GPU
 * ({@code taskmanager.numberOfTaskSlots} = GPUs, see infra/README.md) runs each slot on its own
 * card, and the sampler and detector of one slot share that card.
 */
public final class WorkerDevice {
  /** GPU index held by each live task thread. */
  private static final Map<Thread, Integer> HELD = new WeakHashMap<>();

  private WorkerDevice() {}

  /** {@code device} is "cpu" or "gpu" (the {@code --device} flag). */
  public static Device forSlot(String device) {
    switch (device.toLowerCase(java.util.Locale.ROOT)) {
      case "cpu":
        return Device.cpu();
      case "gpu":
        int gpus = Engine.getInstance().getGpuCount();
        if (gpus == 0) {
          throw new IllegalStateException(
              "--device=gpu: no GPU visible to the PyTorch engine on this worker");
        }
        return Device.gpu(slotGpu(gpus));
      default:
        throw new IllegalArgumentException("--device: expected cpu or gpu, got '" + device + "'");
    }
  }

  /** The GPU index (of {@code gpus}) of the calling thread's slot; see the class comment. */
  public static synchronized int slotGpu(int gpus) {
    Thread self = Thread.currentThread();
    Integer held = HELD.get(self);
    if (held != null && held < gpus) {
      return held;
    }
    HELD.keySet().removeIf(t -> !t.isAlive());
    int[] holders = new int[gpus];
    for (int g : HELD.values()) {
      if (g < gpus) {
        holders[g]++;
      }
    }
    int best = 0;
    for (int g = 1; g < gpus; g++) {
      if (holders[g] < holders[best]) {
        best = g;
      }
    }
    HELD.put(self, best);
    return best;
  }
}
