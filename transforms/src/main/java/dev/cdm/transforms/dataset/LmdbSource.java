package dev.cdm.transforms.dataset;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * An LSUN {@code *_lmdb} folder, as the reference's {@code open_lmdb} reads it: the records of the
 * main database in key order, each value an encoded image (JPEG in LSUN) decoded to RGB as {@code
 * cv2.imdecode(value, IMREAD_COLOR)} then BGR to RGB gives it, no labels. The database is opened
 * read-only without locking ({@code lmdb.open(dir, readonly=True, lock=False)}).
 *
 * <p>Buffers are plain byte arrays (lmdbjava's direct-buffer proxies need {@code --add-opens} on
 * Java 17), so the one preparing pass copies each record once while it walks the keys. Preparing
 * walks the keys once and keeps every {@value #STRIDE}th key in the work folder, so that a worker
 * seeks to its range's nearest key and steps from there.
 */
final class LmdbSource implements PreparedSource {
  private static final long serialVersionUID = 1L;
  static final int STRIDE = 4096;

  private final String dir;
  private final String checkpointsFile;
  private final long size;
  private final int stride;

  private LmdbSource(String dir, String checkpointsFile, long size, int stride) {
    this.dir = dir;
    this.checkpointsFile = checkpointsFile;
    this.size = size;
    this.stride = stride;
  }

  static PreparedSource prepare(Path dir, long maxImages, Path workDir) throws IOException {
    return prepare(dir, maxImages, workDir, STRIDE);
  }

  /** {@code stride}: keep every stride-th key (tests use small ones). */
  static PreparedSource prepare(Path dir, long maxImages, Path workDir, int stride)
      throws IOException {
    Path checkpoints = workDir.resolve("lmdb-keys.bin");
    long n;
    try (Env<byte[]> env = openEnv(dir);
        Txn<byte[]> txn = env.txnRead();
        DataOutputStream out = new DataOutputStream(Files.newOutputStream(checkpoints))) {
      Dbi<byte[]> db = env.openDbi((byte[]) null);
      long entries = db.stat(txn).entries;
      n = Math.min(entries, maxImages);
      try (Cursor<byte[]> c = db.openCursor(txn)) {
        boolean more = c.first();
        for (long i = 0; i < n && more; i += stride) {
          byte[] key = c.key();
          out.writeInt(key.length);
          out.write(key);
          for (int s = 0; s < stride && more; s++) {
            more = c.next();
          }
        }
      }
    } catch (LmdbException e) {
      throw new IOException(
          "--source=" + dir + ": cannot read the LMDB database: " + e.getMessage(), e);
    }
    return new LmdbSource(dir.toString(), checkpoints.toString(), n, stride);
  }

  private static Env<byte[]> openEnv(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("data.mdb"))) {
      throw new IOException("--source=" + dir + ": not an LMDB folder (no data.mdb in it)");
    }
    try {
      return Env.create(ByteArrayProxy.PROXY_BA)
          .setMaxDbs(1)
          .open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOLOCK, EnvFlags.MDB_NOTLS);
    } catch (LmdbException e) {
      throw new IOException(
          "--source=" + dir + ": cannot open the LMDB database: " + e.getMessage(), e);
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String description() {
    return "LSUN LMDB " + dir;
  }

  @Override
  public Reader open(long start, long end) throws IOException {
    List<byte[]> keys = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(checkpointsFile)))) {
      for (long i = 0; i < size; i += stride) {
        byte[] k = new byte[in.readInt()];
        in.readFully(k);
        keys.add(k);
      }
    }
    Env<byte[]> env = openEnv(Path.of(dir));
    Txn<byte[]> txn;
    Cursor<byte[]> cursor;
    try {
      Dbi<byte[]> db = env.openDbi((byte[]) null);
      txn = env.txnRead();
      cursor = db.openCursor(txn);
    } catch (LmdbException e) {
      env.close();
      throw new IOException(dir + ": cannot read the LMDB database: " + e.getMessage(), e);
    }
    return new Reader() {
      long next = start;
      boolean positioned;

      @Override
      public SourceItem next() throws IOException {
        if (next >= end || next >= size) {
          return null;
        }
        long i = next++;
        try {
          if (!positioned) {
            int c = (int) (i / stride);
            byte[] k = keys.get(c);
            if (!cursor.get(k, GetOp.MDB_SET_KEY)) {
              throw new IOException(dir + ": key of record " + (long) c * stride + " vanished");
            }
            for (long s = (long) c * stride; s < i; s++) {
              cursor.next();
            }
            positioned = true;
          } else if (!cursor.next()) {
            throw new IOException(dir + ": ends before record " + i);
          }
          String name = dir + "[" + new String(cursor.key(), StandardCharsets.UTF_8) + "]";
          return SourceItem.ofColorEncoded(i, name, null, cursor.val());
        } catch (LmdbException e) {
          throw new IOException(dir + ": cannot read record " + i + ": " + e.getMessage(), e);
        }
      }

      @Override
      public void close() {
        cursor.close();
        txn.close();
        env.close();
      }
    };
  }
}
