package dev.cdm.transforms.generate;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Resolves a {@code --network} location (local path, {@code http(s)://} URL, or any Beam file
 * system such as {@code gs://}) to a local file, as the reference's {@code open_url} does. Remote
 * files are cached under {@code java.io.tmpdir/cdm-networks/} by location, downloaded to a
 * temporary name and renamed when complete, so concurrent workers of one host share one copy.
 */
public final class NetworkFiles {
  private NetworkFiles() {}

  public static Path localCopy(String location) throws IOException {
    String scheme = location.contains("://") ? URI.create(location).getScheme() : null;
    if (scheme == null || scheme.equals("file")) {
      Path p = scheme == null ? Paths.get(location) : Paths.get(URI.create(location));
      if (!Files.isRegularFile(p)) {
        throw new IOException("--network: " + location + " is not a file");
      }
      return p;
    }
    Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "cdm-networks");
    Files.createDirectories(dir);
    String base = location.substring(location.lastIndexOf('/') + 1);
    Path target = dir.resolve(hash(location) + "-" + base.replaceAll("[^A-Za-z0-9._-]", "_"));
    if (Files.isRegularFile(target)) {
      return target;
    }
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try (InputStream in = open(location, scheme)) {
      Files.copy(in, tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IOException("--network: cannot fetch " + location + ": " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  private static InputStream open(String location, String scheme) throws IOException {
    if (scheme.equals("http") || scheme.equals("https")) {
      return URI.create(location).toURL().openStream();
    }
    return Channels.newInputStream(
        FileSystems.open(FileSystems.matchSingleFileSpec(location).resourceId()));
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
