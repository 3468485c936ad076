package dev.cdm.model.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Write-then-rename on a local disk, the one implementation every module uses: a file is written
 * under a hidden temporary name in its destination's folder ({@code .<name>.<uuid>.tmp}) and
 * renamed when complete, so a reader (or a job that restarts) never sees a partial file.
 *
 * <p>Not {@code Files.createTempFile}: that makes owner-only (0600) files, and the renamed result
 * should get the usual permissions. Object stores and other Beam file systems have their own
 * counterpart in transforms/ ({@code dev.cdm.transforms.io.AtomicFiles}).
 */
public final class LocalFiles {
  /** The names {@link #tempBeside} makes. */
  private static final Pattern TEMP_NAME =
      Pattern.compile(
          "^\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp$");

  private LocalFiles() {}

  /** A fresh hidden name in {@code dest}'s folder: {@code .<name>.<random uuid>.tmp}. */
  public static Path tempBeside(Path dest) {
    Path abs = dest.toAbsolutePath();
    return abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  /**
   * Whether {@code fileName} is a temporary name of {@link #tempBeside} (left by a killed writer).
   */
  public static boolean isTempName(String fileName) {
    return TEMP_NAME.matcher(fileName).matches();
  }

  /**
   * Writes {@code data} to {@code dest} (replacing it), creating its folders; atomic on one disk.
   */
  public static void write(Path dest, byte[] data) throws IOException {
    Files.createDirectories(dest.toAbsolutePath().getParent());
    Path tmp = tempBeside(dest);
    try {
      Files.write(tmp, data);
      moveOver(tmp, dest);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes {@code data} to {@code dest} only if no file is there: the complete temporary file is
   * hard-linked to the destination, which fails atomically when the name exists. Returns false (and
   * leaves the existing file) when it does.
   */
  public static boolean createOnce(Path dest, byte[] data) throws IOException {
    Files.createDirectories(dest.toAbsolutePath().getParent());
    Path tmp = tempBeside(dest);
    try {
      Files.write(tmp, data);
      try {
        Files.createLink(dest, tmp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException e) {
        // No hard links on this file system: the check and the rename are two steps.
        if (Files.exists(dest)) {
          return false;
        }
        Files.move(tmp, dest);
      }
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Renames a complete {@code tmp} over {@code dest}: atomically where the file system can. */
  public static void moveOver(Path tmp, Path dest) throws IOException {
    try {
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
