package dev.cdm.transforms.fid;

import ai.djl.Device;
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

  private SharedDetectors() {}

  /**
   * The detector for {@code spec} on {@code device} ("cpu", "gpu", "gpu:1", or "auto"), one per
   * card.
   */
  public static Detector get(String spec, String device) {
    Device d = device(device);
    return LOADED.computeIfAbsent(
        spec + "@" + d,
        k -> {
          try {
            return Detector.load(spec, d);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /**
   * The device of the calling worker slot for {@code name}, a {@code --device} value: the same card
   * as the slot's sampler ({@link Devices#forSlot}, {@code WorkerSlots}).
   */
  public static Device device(String name) {
    return Devices.forSlot(name, "--device");
  }
}
