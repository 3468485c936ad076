package dev.cdm.pipelines;

import dev.cdm.model.io.NetworkSnapshot;
import dev.cdm.model.io.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@code --network} file read once on the command's own JVM before any pipeline starts: a missing
 * file, a file of an unknown format or a truncated one fails here, in one line that names it,
 * instead of inside every worker after the job began. Also checks the flags that depend on the
 * network.
 */
public final class NetworkCheck {
  private final String flag;
  private final String location;
  private final NetworkSnapshot snapshot;

  private NetworkCheck(String flag, String location, NetworkSnapshot snapshot) {
    this.flag = flag;
    this.location = location;
    this.snapshot = snapshot;
  }

  /** Reads {@code location} (path or URL); errors name {@code flag} and the file. */
  public static NetworkCheck of(String location, String flag) throws IOException {
    boolean url = location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*");
    if (!url) {
      Path p = Path.of(location);
      if (!Files.exists(p)) {
        throw new IOException(flag + "=" + location + ": no such file");
      }
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new IOException(flag + "=" + location + ": not a readable file");
      }
    }
    Path local;
    try {
      local = Sources.open(location);
    } catch (IOException e) {
      throw new IOException(flag + "=" + location + ": " + CommandErrors.message(e), e);
    }
    try {
      return new NetworkCheck(flag, location, NetworkSnapshot.load(local));
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          flag
              + "="
              + location
              + ": not a usable network (expected a reference"
              + " .pkl checkpoint or a cdm .safetensors snapshot): "
              + CommandErrors.message(e),
          e);
    }
  }

  public NetworkSnapshot snapshot() {
    return snapshot;
  }

  /** The number of classes of a conditional network, 0 for an unconditional one. */
  public int labelDim() {
    Object v = snapshot.initKwargs().get("label_dim");
    return v instanceof Number ? ((Number) v).intValue() : 0;
  }

  /**
   * {@code --class} must name one of the network's classes; like the reference, an unconditional
   * network ignores it. {@code classIdx} is -1 for random labels.
   */
  public void checkClass(int classIdx) {
    int n = labelDim();
    if (classIdx >= 0 && n > 0 && classIdx >= n) {
      throw CommandErrors.usage(
          "--class="
              + classIdx
              + ": "
              + flag
              + "="
              + location
              + " has "
              + n
              + " classes (0 to "
              + (n - 1)
              + ")");
    }
  }

  /** The network's constructor arguments (for checks by other commands). */
  public Map<String, Object> initKwargs() {
    return snapshot.initKwargs();
  }
}
