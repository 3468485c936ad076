package dev.cdm.transforms.generate;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The device of a worker slot: the CPU, or one GPU per slot. Slots of one JVM (Flink task slots,
 * DirectRunner threads) take the host's GPUs ({@code gpu}), or the listed ones ({@code gpu:i,j},
 * e.g. the GPUs a training beside it does not use), round-robin in the order their DoFns set up.
 */
public final class WorkerDevice {
  private static final AtomicInteger NEXT_GPU = new AtomicInteger();

  private WorkerDevice() {}

  /** {@code device} is "cpu", "gpu" or "gpu:i,j,..." (the {@code --device} flag). */
  public static Device forSlot(String device) {
    List<Integer> listed = check(device);
    if (listed == null) {
      return Device.cpu();
    }
    int gpus = Engine.getInstance().getGpuCount();
    if (gpus == 0) {
      throw new IllegalStateException(
          "--device=" + device + ": no GPU visible to the PyTorch engine on this worker");
    }
    int slot = NEXT_GPU.getAndIncrement();
    if (listed.isEmpty()) {
      return Device.gpu(Math.floorMod(slot, gpus));
    }
    int id = listed.get(Math.floorMod(slot, listed.size()));
    if (id >= gpus) {
      throw new IllegalStateException(
          "--device=" + device + ": GPU " + id + " asked for, but this worker has " + gpus);
    }
    return Device.gpu(id);
  }

  /**
   * Checks the grammar: null for the CPU, an empty list for every GPU, else the listed GPU ids.
   * Errors name the flag.
   */
  public static List<Integer> check(String device) {
    String d = device.trim().toLowerCase(java.util.Locale.ROOT);
    if (d.equals("cpu")) {
      return null;
    }
    if (d.equals("gpu")) {
      return List.of();
    }
    if (d.startsWith("gpu:")) {
      List<Integer> ids = new ArrayList<>();
      try {
        for (String p : d.substring(4).split(",")) {
          int id = Integer.parseInt(p.trim());
          if (id < 0) {
            throw new NumberFormatException();
          }
          ids.add(id);
        }
        return ids;
      } catch (NumberFormatException e) {
        // fall through to the error
      }
    }
    throw new IllegalArgumentException(
        "--device: expected cpu, gpu or gpu:i,j,... (GPU ids), got '" + device + "'");
  }
}
