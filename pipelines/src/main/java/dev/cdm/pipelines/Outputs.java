package dev.cdm.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.UUID;

/**
 * Checks that an output flag ({@code --outdir}, {@code --dest}, {@code --results}) can be written,
 * before any work starts: a command should not compute for an hour and then find a read-only or
 * misspelt destination. Nothing is created: the check writes and deletes a probe file in the
 * nearest existing folder. Locations with a scheme ({@code gs://}) are left to the file system.
 */
public final class Outputs {
  private Outputs() {}

  /** {@code location} is, or can become, a writable folder. */
  public static void checkFolder(String flag, String location) throws IOException {
    if (isRemote(location)) {
      return;
    }
    Path p = Paths.get(location).toAbsolutePath();
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw new IOException(flag + "=" + location + " is a file, not a folder");
    }
    probe(flag, location, p);
  }

  /** {@code location} is, or can become, a writable file. */
  public static void checkFile(String flag, String location) throws IOException {
    if (isRemote(location)) {
      return;
    }
    Path p = Paths.get(location).toAbsolutePath();
    if (Files.isDirectory(p)) {
      throw new IOException(flag + "=" + location + " is a folder, expected a file name");
    }
    probe(flag, location, p.getParent());
  }

  /** Writes and deletes a file in the nearest existing ancestor of {@code folder}. */
  private static void probe(String flag, String location, Path folder) throws IOException {
    Path existing = folder;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new IOException(flag + "=" + location + ": no existing parent folder");
    }
    if (!Files.isDirectory(existing)) {
      throw new IOException(flag + "=" + location + ": " + existing + " is a file, not a folder");
    }
    Path probe = existing.resolve(".cdm-write-check-" + UUID.randomUUID());
    try {
      Files.write(probe, new byte[0]);
    } catch (IOException e) {
      String why =
          e instanceof java.nio.file.AccessDeniedException
              ? "permission denied"
              : e instanceof java.nio.file.FileSystemException
                      && ((java.nio.file.FileSystemException) e).getReason() != null
                  ? ((java.nio.file.FileSystemException) e).getReason()
                  : e.getClass().getSimpleName();
      throw new IOException(
          flag + "=" + location + ": cannot write in " + existing + " (" + why + ")", e);
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // nothing was created
      }
    }
  }

  private static boolean isRemote(String location) {
    int i = location.indexOf("://");
    return i > 1 && !location.startsWith("file:");
  }
}
