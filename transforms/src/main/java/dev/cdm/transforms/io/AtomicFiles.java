package dev.cdm.transforms.io;

import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.io.LocalFiles;
import dev.cdm.model.io.Sources;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * The file layer of every command: reads, lists and writes a location that is a local path or a URI
 * of any Beam file system on the class path ({@code gs://}, or a test's {@code mem://}), so that
 * the driver and any worker of a cluster can read inputs and write outputs.
 *
 * <p>Writes never show a partial file: on a local disk the bytes go to a temporary name beside the
 * target and are renamed over it ({@link LocalFiles}); on {@code gs://} an object appears only when
 * its upload completes; on other Beam file systems to a temporary name, then {@code
 * FileSystems.rename}. {@link #createOnce} publishes a result at most once (a job that restarts
 * after publishing leaves the first one): on {@code gs://} with Cloud Storage's conditional create
 * ({@link GcsObjects}), which Beam's file systems do not offer.
 */
public final class AtomicFiles {
  private static volatile boolean registered;

  private AtomicFiles() {}

  /** Whether {@code location} is a local path (no scheme, or {@code file:}). */
  public static boolean isLocalPath(String location) {
    if (location.length() > 1 && location.charAt(1) == ':') {
      return true; // Windows drive letter.
    }
    int sep = location.indexOf("://");
    if (sep < 0) {
      return true; // a path, or file:/path
    }
    String scheme = location.substring(0, sep);
    return scheme.equals("file") || !scheme.matches("[A-Za-z][A-Za-z0-9+.-]*");
  }

  static boolean isGcs(String location) {
    return location.startsWith("gs://");
  }

  /** The local path of a local {@code location}. */
  static Path localPath(String location) {
    return location.startsWith("file:") ? Paths.get(URI.create(location)) : Paths.get(location);
  }

  /** {@code location} as given when remote, else as an absolute local path. */
  public static String absolute(String location) {
    return isLocalPath(location) ? localPath(location).toAbsolutePath().toString() : location;
  }

  /** {@code name} (may contain '/') inside the folder {@code dir}. */
  public static String resolve(String dir, String name) {
    if (isLocalPath(dir)) {
      return localPath(dir).resolve(name).toString();
    }
    return dir.replaceAll("/+$", "") + "/" + name;
  }

  /**
   * Makes Beam's file systems of the class path known to this JVM when no pipeline has done so yet
   * (the command's driver before its first pipeline): Beam knows only local files until {@code
   * FileSystems.setDefaultPipelineOptions} runs, and the workers' runner calls it with the job's
   * options, which must not be replaced.
   */
  static ResourceId resource(String location, boolean isDirectory) {
    try {
      return FileSystems.matchNewResource(location, isDirectory);
    } catch (IllegalArgumentException e) {
      if (registered) {
        throw e;
      }
      synchronized (AtomicFiles.class) {
        if (!registered) {
          FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
          registered = true;
        }
      }
      return FileSystems.matchNewResource(location, isDirectory);
    }
  }

  /** The metadata of the one file at {@code location}; FileNotFoundException when there is none. */
  static MatchResult.Metadata metadata(String location) throws IOException {
    resource(location, false); // the scheme's file system is registered
    List<MatchResult.Metadata> found;
    try {
      found = FileSystems.match(location).metadata();
    } catch (FileNotFoundException e) {
      found = List.of();
    }
    for (MatchResult.Metadata m : found) {
      if (m.resourceId().toString().equals(location) || found.size() == 1) {
        return m;
      }
    }
    throw new FileNotFoundException(location + ": no such file");
  }

  // ----------------------------------------------------------------------------------- reading

  /** The bytes of {@code location}. */
  public static byte[] read(String location) throws IOException {
    try (InputStream in = open(location)) {
      return in.readAllBytes();
    }
  }

  /** A stream of the file at {@code location}. */
  public static InputStream open(String location) throws IOException {
    if (isLocalPath(location)) {
      try {
        return Files.newInputStream(localPath(location));
      } catch (java.nio.file.NoSuchFileException e) {
        throw new FileNotFoundException(location + ": no such file");
      }
    }
    return Channels.newInputStream(FileSystems.open(metadata(location).resourceId()));
  }

  /** Whether a file (not a folder) exists at {@code location}. */
  public static boolean exists(String location) throws IOException {
    if (isLocalPath(location)) {
      return Files.isRegularFile(localPath(location));
    }
    try {
      metadata(location);
      return true;
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /**
   * Whether {@code location} is a folder: a local directory, or on an object store a prefix under
   * which files exist ({@code location/**} matches) while no file has that exact name.
   */
  public static boolean isFolder(String location) throws IOException {
    if (isLocalPath(location)) {
      return Files.isDirectory(localPath(location));
    }
    return !exists(location) && !list(location).isEmpty();
  }

  /**
   * Every file below the folder {@code dir}, by its name relative to it ({@code a/b.png}), sorted.
   */
  public static List<String> list(String dir) throws IOException {
    List<String> names = new ArrayList<>();
    if (isLocalPath(dir)) {
      Path root = localPath(dir);
      if (!Files.isDirectory(root)) {
        return names;
      }
      try (Stream<Path> s = Files.walk(root)) {
        s.filter(Files::isRegularFile)
            .forEach(p -> names.add(root.relativize(p).toString().replace('\\', '/')));
      }
    } else {
      String prefix = dir.replaceAll("/+$", "") + "/";
      resource(prefix, true);
      MatchResult r = FileSystems.match(prefix + "**");
      if (r.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : r.metadata()) {
          String id = m.resourceId().toString();
          if (id.startsWith(prefix) && !m.resourceId().isDirectory() && !id.endsWith("/")) {
            names.add(id.substring(prefix.length()));
          }
        }
      }
    }
    Collections.sort(names);
    return names;
  }

  /**
   * A local file with the bytes of {@code location}: itself when local, else a copy in the download
   * cache ({@link Sources}); errors start with {@code flag=location}.
   */
  public static Path localCopy(String location, String flag) throws IOException {
    return Sources.open(location, flag);
  }

  /**
   * The images of a dataset ZIP or folder at {@code location}: a local ZIP or folder in place, a
   * remote ZIP through the download cache (it needs random access), a remote folder read file by
   * file through Beam's file systems.
   */
  public static ImageArchive openArchive(String location) throws IOException {
    if (isLocalPath(location)) {
      return ImageArchive.open(localPath(location));
    }
    if (exists(location)) {
      return ImageArchive.open(Sources.open(location));
    }
    List<String> files = list(location);
    if (files.isEmpty()) {
      throw new IOException(
          "Dataset not found: " + location + " (expected a .zip file or a folder)");
    }
    return ImageArchive.ofFolder(location, files, name -> read(resolve(location, name)));
  }

  // ----------------------------------------------------------------------------------- writing

  /**
   * Writes {@code data} to {@code location}, replacing what is there; never shows a partial file.
   */
  public static void write(String location, byte[] data) throws IOException {
    if (isLocalPath(location)) {
      LocalFiles.write(localPath(location), data);
      return;
    }
    writeRemote(location, out -> out.write(data));
  }

  /** Copies the local file {@code source} to {@code location} (replacing it), as {@link #write}. */
  public static void upload(Path source, String location) throws IOException {
    if (isLocalPath(location)) {
      Path dest = localPath(location);
      Path tmp = copyBeside(source, dest);
      try {
        LocalFiles.moveOver(tmp, dest);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return;
    }
    writeRemote(location, out -> Files.copy(source, out));
  }

  /**
   * A copy of {@code source} in a temporary file beside {@code dest} (its folder made first), for
   * the caller to move into place and then delete if it is still there.
   */
  private static Path copyBeside(Path source, Path dest) throws IOException {
    Files.createDirectories(dest.toAbsolutePath().getParent());
    Path tmp = LocalFiles.tempBeside(dest);
    try {
      Files.copy(source, tmp);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  /** Writes a stream's content to a remote location: directly on gs://, else temp + rename. */
  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private static void writeRemote(String location, Content content) throws IOException {
    ResourceId dest = resource(location, false);
    ResourceId target =
        isGcs(location)
            ? dest
            : resource(
                location.substring(0, location.lastIndexOf('/') + 1)
                    + "."
                    + dest.getFilename()
                    + "."
                    + UUID.randomUUID()
                    + ".tmp",
                false);
    try (WritableByteChannel ch = FileSystems.create(target, MimeTypes.BINARY);
        OutputStream out = Channels.newOutputStream(ch)) {
      content.writeTo(out);
    }
    if (target != dest) {
      FileSystems.rename(
          List.of(target), List.of(dest), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /**
   * Writes {@code data} to {@code location} only if nothing is there yet; returns false (leaving
   * the existing file) when something is. A result published by a job that then restarts is thus
   * kept, not written twice. Atomic on a local disk (hard link) and on {@code gs://} (a create
   * conditional on the object not existing); on other Beam file systems the check and the rename
   * are two steps.
   */
  public static boolean createOnce(String location, byte[] data) throws IOException {
    if (isLocalPath(location)) {
      return LocalFiles.createOnce(localPath(location), data);
    }
    if (isGcs(location)) {
      return GcsObjects.createOnce(location, data);
    }
    if (exists(location)) {
      return false;
    }
    writeRemote(location, out -> out.write(data));
    return true;
  }

  /**
   * Copies the local file {@code source} to {@code location} only if nothing is there yet, as
   * {@link #createOnce(String, byte[])} (the bytes are streamed, not held in memory); false when
   * something is, which is left as it is.
   */
  public static boolean uploadOnce(Path source, String location) throws IOException {
    if (isLocalPath(location)) {
      Path dest = localPath(location);
      Path tmp = copyBeside(source, dest);
      try {
        try {
          Files.createLink(dest, tmp);
        } catch (UnsupportedOperationException e) {
          // No hard links on this file system: the check and the rename are two steps.
          if (Files.exists(dest)) {
            return false;
          }
          Files.move(tmp, dest);
        }
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    if (isGcs(location)) {
      return GcsObjects.createOnce(location, source);
    }
    if (exists(location)) {
      return false;
    }
    writeRemote(location, out -> Files.copy(source, out));
    return true;
  }

  /**
   * A fresh hidden name beside {@code location} ({@code .<name>.<uuid>.tmp}, as {@link
   * LocalFiles#tempBeside}) on the same file system: where a job publishes a result once ({@link
   * #createOnce}) for the command to {@link #move} onto the user's destination.
   */
  public static String stagingFor(String location) {
    if (isLocalPath(location)) {
      return LocalFiles.tempBeside(localPath(location)).toString();
    }
    int slash = location.lastIndexOf('/');
    return location.substring(0, slash + 1)
        + "."
        + location.substring(slash + 1)
        + "."
        + UUID.randomUUID()
        + ".tmp";
  }

  /** Renames the file {@code from} over {@code to} (same file system; replaces {@code to}). */
  public static void move(String from, String to) throws IOException {
    if (isLocalPath(from) && isLocalPath(to)) {
      Path dest = localPath(to);
      Files.createDirectories(dest.toAbsolutePath().getParent());
      LocalFiles.moveOver(localPath(from), dest);
      return;
    }
    FileSystems.rename(List.of(resource(from, false)), List.of(resource(to, false)));
  }

  /** Deletes the file at {@code location} if it exists. */
  public static void delete(String location) throws IOException {
    if (isLocalPath(location)) {
      Files.deleteIfExists(localPath(location));
    } else if (exists(location)) {
      FileSystems.delete(
          List.of(resource(location, false)), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /**
   * Removes the temporary files that a killed writer left in the local folder {@code dir} (and its
   * subfolders, one level down); returns how many. Only names {@link LocalFiles#tempBeside} makes.
   */
  public static int removeLeftovers(String dir) throws IOException {
    if (!isLocalPath(dir) || !Files.isDirectory(localPath(dir))) {
      return 0;
    }
    int removed = 0;
    try (Stream<Path> s = Files.walk(localPath(dir), 2)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (LocalFiles.isTempName(p.getFileName().toString()) && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
          removed++;
        }
      }
    }
    return removed;
  }
}
