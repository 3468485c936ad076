package dev.cdm.pipelines;

import dev.cdm.transforms.io.AtomicFiles;
import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * Checks that an input flag names something that exists, before any work starts, so that a misspelt
 * path is the first and only line a command prints, in the form of the other input errors: {@code
 * --images=imgs: not found (expected a folder or a .zip of images)}.
 */
public final class Inputs {
  private Inputs() {}

  /**
   * {@code location} (as the user gave it, on any Beam file system) is a file or a folder of
   * images: a local file or directory, or an object or a prefix with objects under it.
   *
   * @throws FileNotFoundException naming {@code flag=location} when it is neither
   */
  public static void checkImages(String flag, String location) throws IOException {
    String absolute = AtomicFiles.absolute(location);
    if (!AtomicFiles.exists(absolute) && !AtomicFiles.isFolder(absolute)) {
      throw new FileNotFoundException(
          flag + "=" + location + ": not found (expected a folder or a .zip of images)");
    }
  }
}
