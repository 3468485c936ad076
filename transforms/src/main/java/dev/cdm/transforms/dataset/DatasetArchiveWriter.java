package dev.cdm.transforms.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The destination of a dataset, as the reference's {@code open_dest}: an uncompressed (stored) ZIP
 * or a folder. Entries are written one at a time, so memory does not grow with the dataset.
 */
abstract class DatasetArchiveWriter implements Closeable {
  abstract void write(String name, byte[] data) throws IOException;

  /** Streams a file in as entry {@code name} (for dataset.json, whose size grows with the data). */
  abstract void writeFile(String name, Path file) throws IOException;

  /** A folder or ZIP at {@code path} (which must not exist yet). */
  static DatasetArchiveWriter open(Path path, boolean zip) throws IOException {
    return zip ? new Zip(path) : new Folder(path);
  }

  private static final class Zip extends DatasetArchiveWriter {
    private final StoredZipWriter zip;

    Zip(Path path) throws IOException {
      zip = new StoredZipWriter(path);
    }

    @Override
    void write(String name, byte[] data) throws IOException {
      zip.write(name, data);
    }

    @Override
    void writeFile(String name, Path file) throws IOException {
      zip.writeFile(name, file);
    }

    @Override
    public void close() throws IOException {
      zip.close();
    }
  }

  private static final class Folder extends DatasetArchiveWriter {
    private final Path root;
    private Path lastDir;

    Folder(Path root) throws IOException {
      this.root = Files.createDirectories(root);
    }

    @Override
    void write(String name, byte[] data) throws IOException {
      Path file = root.resolve(name);
      Path dir = file.getParent();
      if (!dir.equals(lastDir)) {
        Files.createDirectories(dir);
        lastDir = dir;
      }
      Files.write(file, data);
    }

    @Override
    void writeFile(String name, Path file) throws IOException {
      Files.copy(file, root.resolve(name));
    }

    @Override
    public void close() {}
  }
}
