package dev.cdm.fid;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Temporary names beside a destination, for write-then-rename. Not {@code Files.createTempFile}:
 * that makes owner-only (0600) files, and the renamed result should get the usual permissions.
 */
public final class TempFiles {
  private TempFiles() {}

  /** A fresh hidden name in {@code dest}'s folder: {@code .<name>.<random>.tmp}. */
  public static Path besides(Path dest) {
    Path abs = dest.toAbsolutePath();
    return abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }
}
