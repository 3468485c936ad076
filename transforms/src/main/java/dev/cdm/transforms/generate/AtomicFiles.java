package dev.cdm.transforms.generate;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Writes files so that readers never see a partial one: on local disks to a temporary name in the
 * same directory, then an atomic rename over the target; on object stores (gs://, ...) through
 * Beam's {@link FileSystems}, whose objects appear only when their upload completes.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Whether {@code location} is a local path (no scheme, or {@code file:}). */
  public static boolean isLocalPath(String location) {
    return isLocal(location);
  }

  static boolean isLocal(String location) {
    if (location.length() > 1 && location.charAt(1) == ':') {
      return true; // Windows drive letter.
    }
    String scheme = URI.create(location.replace(" ", "%20")).getScheme();
    return scheme == null || scheme.equals("file");
  }

  private static Path localPath(String location) {
    return location.startsWith("file:") ? Paths.get(URI.create(location)) : Paths.get(location);
  }

  public static void write(String location, byte[] data) throws IOException {
    if (isLocal(location)) {
      Path target = localPath(location);
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.write(tmp, data);
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return;
    }
    ResourceId id = FileSystems.matchNewResource(location, false);
    try (WritableByteChannel ch = FileSystems.create(id, MimeTypes.BINARY)) {
      ch.write(ByteBuffer.wrap(data));
    }
  }

  /** The bytes of {@code location} (local path or Beam file system location). */
  public static byte[] read(String location) throws IOException {
    if (isLocal(location)) {
      return Files.readAllBytes(localPath(location));
    }
    try (java.io.InputStream in = java.nio.channels.Channels.newInputStream(
        FileSystems.open(FileSystems.matchSingleFileSpec(location).resourceId()))) {
      return in.readAllBytes();
    }
  }

  /**
   * Removes the temporary files that a killed writer left in the local folder {@code dir} (and its
   * subfolders, one level down); returns how many. Only names that {@link #write} makes match:
   * {@code .<name>.<uuid>.tmp}.
   */
  public static int removeLeftovers(String dir) throws IOException {
    if (!isLocal(dir) || !Files.isDirectory(localPath(dir))) {
      return 0;
    }
    java.util.regex.Pattern tmp = java.util.regex.Pattern.compile(
        "^\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp$");
    int removed = 0;
    try (java.util.stream.Stream<Path> s = Files.walk(localPath(dir), 2)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (tmp.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
          removed++;
        }
      }
    }
    return removed;
  }

  /** Deletes {@code location} if it exists. */
  public static void delete(String location) throws IOException {
    if (isLocal(location)) {
      Files.deleteIfExists(localPath(location));
    } else if (exists(location)) {
      FileSystems.delete(java.util.List.of(FileSystems.matchNewResource(location, false)));
    }
  }

  /** Whether {@code location} exists (for {@code --resume}). */
  public static boolean exists(String location) throws IOException {
    if (isLocal(location)) {
      return Files.isRegularFile(localPath(location));
    }
    return !FileSystems.match(location).metadata().isEmpty();
  }

}
