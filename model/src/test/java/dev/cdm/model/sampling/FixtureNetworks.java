package dev.cdm.model.sampling;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.Precond;
import java.nio.file.Path;

/**
 * Loads a fixture network ({@code /fixtures/<name>.pkl}, the reference checkpoint's {@code ema}).
 */
final class FixtureNetworks {
  private FixtureNetworks() {}

  static Precond load(String name, NDManager manager) throws Exception {
    Path p = Path.of(FixtureNetworks.class.getResource("/fixtures/" + name + ".pkl").toURI());
    return NetworkLoader.load(p, manager);
  }
}
