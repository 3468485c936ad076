package dev.cdm.transforms.dataset;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

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
    private final ZipOutputStream out;
    private final CRC32 crc = new CRC32();

    Zip(Path path) throws IOException {
      OutputStream os = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20);
      out = new ZipOutputStream(os);
      out.setMethod(ZipOutputStream.STORED);
    }

    @Override
    void write(String name, byte[] data) throws IOException {
      ZipEntry e = new ZipEntry(name);
      crc.reset();
      crc.update(data);
      e.setMethod(ZipEntry.STORED);
      e.setSize(data.length);
      e.setCompressedSize(data.length);
      e.setCrc(crc.getValue());
      out.putNextEntry(e);
      out.write(data);
      out.closeEntry();
    }

    @Override
    void writeFile(String name, Path file) throws IOException {
      crc.reset();
      byte[] buf = new byte[1 << 16];
      try (var in = Files.newInputStream(file)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          crc.update(buf, 0, n);
        }
      }
      ZipEntry e = new ZipEntry(name);
      long size = Files.size(file);
      e.setMethod(ZipEntry.STORED);
      e.setSize(size);
      e.setCompressedSize(size);
      e.setCrc(crc.getValue());
      out.putNextEntry(e);
      Files.copy(file, out);
      out.closeEntry();
    }

    @Override
    public void close() throws IOException {
      out.close();
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
