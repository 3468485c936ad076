package dev.cdm.engine;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineProvider;

/**
 * Runs {@link EngineDefaults#apply()} when DJL first looks for its engines, before it loads
 * libtorch: DJL instantiates every {@link EngineProvider} on the class path (service file {@code
 * META-INF/services/ai.djl.engine.EngineProvider}) before it starts the default engine. This
 * provider is only that hook: it never becomes the default engine (it ranks last) and hands out the
 * PyTorch engine if asked.
 */
public final class StartupHook implements EngineProvider {
  public StartupHook() {
    EngineDefaults.apply();
  }

  @Override
  public String getEngineName() {
    return "cdm-startup-defaults";
  }

  @Override
  public int getEngineRank() {
    return Integer.MAX_VALUE;
  }

  @Override
  public Engine getEngine() {
    return Engine.getEngine("PyTorch");
  }
}
