package dev.cdm.transforms.fid;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.cdm.fid.Detector;
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

  /** The detector for {@code spec} on {@code device} ("cpu", "gpu", "gpu:1", or "auto"). */
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

  /** Parses a device name; "auto" is the first GPU when there is one, else the CPU. */
  public static Device device(String name) {
    if (name == null || name.equalsIgnoreCase("auto")) {
      return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
    try {
      return Device.fromName(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--device=" + name + ": expected cpu, gpu, gpu:N or auto", e);
    }
  }
}
