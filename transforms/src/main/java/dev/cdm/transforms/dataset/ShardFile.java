package dev.cdm.transforms.dataset;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A worker's converted images in index order: (index, label, PNG bytes) records. Written under a
 * temporary name and renamed when complete, so a retried or failed worker never leaves a partial
 * shard that the final writer could mistake for a finished one.
 */
final class ShardFile {
  private ShardFile() {}

  static final class Writer implements Closeable {
    private final Path file;
    private final Path tmp;
    private final DataOutputStream out;

    Writer(Path file) throws IOException {
      this.file = file;
      this.tmp = file.resolveSibling(file.getFileName() + ".tmp-" + java.util.UUID.randomUUID());
      this.out =
          new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16));
    }

    void write(long index, String label, byte[] png) throws IOException {
      out.writeLong(index);
      SourceItem.writeLabel(out, label);
      out.writeInt(png.length);
      out.write(png);
    }

    /** Completes the shard: flush, close, rename into place. */
    void commit() throws IOException {
      out.close();
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws IOException {
      out.close();
      Files.deleteIfExists(tmp); // a no-op after commit
    }
  }

  /** One record; {@code png} is reused by the reader only if the caller copies it (it does not). */
  static final class Record {
    long index;
    String label; // JSON text or null
    byte[] png;
  }

  static final class Reader implements Closeable {
    private final Path file;
    private final DataInputStream in;

    Reader(Path file) throws IOException {
      this.file = file;
      this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    /** The next record or null at the end of the file. */
    Record next() throws IOException {
      Record r = new Record();
      try {
        r.index = in.readLong();
      } catch (EOFException e) {
        return null;
      }
      r.label = SourceItem.readLabel(in);
      int n = in.readInt();
      r.png = new byte[n];
      try {
        in.readFully(r.png);
      } catch (EOFException e) {
        throw new IOException("Shard " + file + " is truncated at image " + r.index, e);
      }
      return r;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
