package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Reads a test fixture {@code .npz} from the classpath into named arrays. */
final class Npz {
  private Npz() {}

  static Map<String, NDArray> load(NDManager manager, String resource) throws IOException {
    try (InputStream in = Npz.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("test resource " + resource + " not found");
      }
      return NpzFile.read(in, resource).toNDArrays(manager);
    }
  }
}
