package dev.cdm.bench.model;

import dev.cdm.engine.EngineDefaults;

/** The engine settings the benchmarks report with their figures. */
final class EngineSettings {
  private EngineSettings() {}

  /**
   * {@code NVIDIA_TF32_OVERRIDE} as libtorch sees it: the engine's default (set through libc, so
   * {@link System#getenv} misses it) or the value the process was started with.
   */
  static String tf32Override() {
    return EngineDefaults.apply()
        .getOrDefault("NVIDIA_TF32_OVERRIDE", System.getenv("NVIDIA_TF32_OVERRIDE"));
  }
}
