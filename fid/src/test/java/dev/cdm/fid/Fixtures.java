package dev.cdm.fid;

import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The reference fixtures copied into test resources (see /work/shared/reference/README.md). */
final class Fixtures {
  private Fixtures() {}

  static Path path(String name) {
    try {
      return Paths.get(Fixtures.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource fixtures/" + name, e);
    }
  }

  static NpzFile npz(String name) throws IOException {
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
      return NpzFile.read(in, name);
    }
  }

  static double scalar(NpzFile npz, String key) throws IOException {
    double[] v = npz.get(key).toDoubles();
    if (v.length != 1) {
      throw new IllegalStateException(key + " is not a scalar");
    }
    return v[0];
  }
}
