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

  /** The whole file at {@code location} (local or any Beam file system). */
  public static byte[] read(String location) throws IOException {
    if (isLocal(location)) {
      return Files.readAllBytes(localPath(location));
    }
    try (java.io.InputStream in = java.nio.channels.Channels.newInputStream(
        FileSystems.open(FileSystems.matchSingleFileSpec(location).resourceId()))) {
      return in.readAllBytes();
    }
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
