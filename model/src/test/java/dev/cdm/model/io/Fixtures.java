package dev.cdm.model.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of the reference fixtures copied into this module's test resources. */
final class Fixtures {
  static final String[] NETWORKS = {
    "ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"
  };

  private Fixtures() {}

  static Path pkl(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/" + name + ".pkl").toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("fixture " + name + ".pkl missing from test resources", e);
    }
  }
}
