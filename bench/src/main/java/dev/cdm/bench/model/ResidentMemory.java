package dev.cdm.bench.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory from {@code /proc/self/status}, for comparing what a training step
 * holds on the CPU engine with the reference's (infra/bench/train_ref.py with DEVICE=cpu measures
 * it the same way). Run both with {@code MALLOC_MMAP_THRESHOLD_=131072}: every tensor is then its
 * own mapping, returned to the kernel when freed, so that resident memory follows the live tensors;
 * and the JVM with {@code -Xms} equal to {@code -Xmx} and {@code -XX:+AlwaysPreTouch}, so that its
 * heap is resident from the start and does not move the figure.
 */
final class ResidentMemory {
  private ResidentMemory() {}

  /**
   * A field of /proc/self/status in MiB (VmRSS: now; VmHWM: the high-water mark); NaN if absent.
   */
  static double mib(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0])
              / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no such field
    }
    return Double.NaN;
  }

  /** Starts the high-water mark again from the resident size now (Linux: clear_refs 5). */
  static void resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException e) {
      throw new IllegalStateException("cannot reset the resident high-water mark: " + e, e);
    }
  }
}
