package dev.cdm.transforms.generate;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The device of a worker slot: the CPU, or one GPU per slot. Slots of one JVM (Flink task slots,
 * DirectRunner threads) take the host's GPUs round-robin in the order their DoFns set up.
 */
public final class WorkerDevice {
  private static final AtomicInteger NEXT_GPU = new AtomicInteger();

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
        return Device.gpu(Math.floorMod(NEXT_GPU.getAndIncrement(), gpus));
      default:
        throw new IllegalArgumentException("--device: expected cpu or gpu, got '" + device + "'");
    }
  }
}
