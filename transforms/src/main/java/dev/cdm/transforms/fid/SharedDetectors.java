package dev.cdm.transforms.fid;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.cdm.fid.Detector;
import dev.cdm.fid.Devices;
import dev.cdm.transforms.generate.WorkerDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Detector} per (source, device) per worker JVM: every DoFn instance and thread on a
 * worker shares it, so the network is downloaded and loaded once, not per bundle or per thread.
 */
public final class SharedDetectors {
  private static final ConcurrentHashMap<String, Detector> LOADED = new ConcurrentHashMap<>();

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
   * Parses a device name. "auto" is the GPUs when there are any, else the CPU; with "auto" and
   * "gpu" each worker slot uses its own GPU ({@link WorkerDevice#slotGpu}), the one its sampler
   * uses in a streaming FID; "gpu:N" pins one card.
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
      return Device.gpu(WorkerDevice.slotGpu(gpus));
    }
    return Devices.parse(n, "--device");
  }
}
