package dev.cdm.transforms.fid;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.cdm.fid.Detector;
import dev.cdm.fid.Devices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Detector} per (source, device) per worker JVM: every DoFn instance and thread on a
 * worker shares it, so the network is downloaded and loaded once, not per bundle or per thread.
 */
public final class SharedDetectors {
  private static final ConcurrentHashMap<String, Detector> LOADED = new ConcurrentHashMap<>();
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_GPU =
      new java.util.concurrent.atomic.AtomicInteger();

  private SharedDetectors() {}

  /** The detector for {@code spec} on {@code device} ("cpu", "gpu", "gpu:1", or "auto"), one per card. */
  public static Detector get(String spec, String device) {
    Device d = device(device);
    return LOADED.computeIfAbsent(spec + "@" + d, k -> {
      try {
        return Detector.load(spec, d);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * Parses a device name. "auto" is the GPUs when there are any, else the CPU; "auto" and "gpu"
   * hand the host's GPUs to successive callers (DoFn instances = worker slots) round-robin, so a
   * multi-GPU worker spreads the detector work; "gpu:N" pins one card.
   */
  public static Device device(String name) {
    String n = name == null ? "auto" : name.toLowerCase(java.util.Locale.ROOT);
    int gpus = Engine.getInstance().getGpuCount();
    if (n.equals("auto") || n.equals("gpu")) {
      if (gpus == 0) {
        if (n.equals("gpu")) {
          throw new IllegalStateException("--device=gpu: no GPU visible to the PyTorch engine");
        }
        return Device.cpu();
      }
      return Device.gpu(Math.floorMod(NEXT_GPU.getAndIncrement(), gpus));
    }
    if (n.startsWith("gpu:") && n.contains(",")) {
      // A list of GPUs (cdm evaluate --device=gpu:i,j): round-robin over those, as the generator.
      return dev.cdm.transforms.generate.WorkerDevice.forSlot(n);
    }
    return Devices.parse(n, "--device");
  }
}
