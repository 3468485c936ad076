package dev.cdm.transforms.dataset;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Opens {@code --source} the way the reference's {@code open_dataset} guesses its format, and
 * prepares it ({@link PreparedSource}) with one sequential pass that writes only small index or
 * raw-record files into a work folder.
 *
 * <ul>
 *   <li>a folder ending in {@code _lmdb}: LSUN, records in key order decoded to RGB, no labels;
 *   <li>another folder: images found recursively, labels from its dataset.json or top-level
 *       folders;
 *   <li>{@code cifar-10-python.tar.gz} (or any {@code .tar.gz}/{@code .tgz}): CIFAR-10 batches
 *       1..5;
 *   <li>{@code *-images-idx3-ubyte[.gz]}: MNIST, gzip'ed or raw, training or test file, labels from
 *       the matching {@code *-labels-idx1-ubyte[.gz]};
 *   <li>{@code *.zip}: images in the archive, labels from its dataset.json.
 * </ul>
 */
public final class DatasetSources {
  private DatasetSources() {}

  /**
   * Prepares {@code source}.
   *
   * @param maxImages cap on the number of images ({@code Long.MAX_VALUE}: none)
   * @param workDir an empty folder that workers can read, for index and record files
   */
  public static PreparedSource prepare(String source, long maxImages, Path workDir)
      throws IOException {
    if (maxImages < 1) {
      throw new IllegalArgumentException("--max-images=" + maxImages + " must be at least 1");
    }
    Path path = Path.of(source);
    if (Files.isDirectory(path)) {
      if (source.replaceAll("/+$", "").endsWith("_lmdb")) {
        return LmdbSource.prepare(path, maxImages, workDir);
      }
      return IndexedFileSource.prepareFolder(path, maxImages, workDir);
    }
    if (!Files.isRegularFile(path)) {
      throw new IOException("Missing input file or directory: --source=" + source);
    }
    String base = path.getFileName().toString();
    if (base.equals("cifar-10-python.tar.gz")
        || base.endsWith(".tar.gz")
        || base.endsWith(".tgz")) {
      return prepareCifar10(path, maxImages, workDir);
    }
    if (base.matches(".*-images-idx3-ubyte(\\.gz)?")) {
      return prepareMnist(path, maxImages, workDir);
    }
    if (base.endsWith(".zip")) {
      return IndexedFileSource.prepareZip(path, maxImages, workDir);
    }
    throw new IOException(
        "--source="
            + source
            + ": unknown archive type (expected a folder, *.zip, cifar-10-python.tar.gz "
            + "or *-images-idx3-ubyte[.gz])");
  }

  // ---------------------------------------------------------------------------------------- MNIST

  private static PreparedSource prepareMnist(Path images, long maxImages, Path workDir)
      throws IOException {
    String base = images.getFileName().toString();
    Path labels = images.resolveSibling(base.replace("-images-idx3-ubyte", "-labels-idx1-ubyte"));
    if (!Files.isRegularFile(labels)) {
      throw new IOException("--source=" + images + ": its labels file " + labels + " is missing");
    }
    Path rawImages = gunzipIfNeeded(images, workDir.resolve("mnist-images.idx"));
    Path rawLabels = gunzipIfNeeded(labels, workDir.resolve("mnist-labels.idx"));
    long n;
    try (DataInputStream in = new DataInputStream(Files.newInputStream(rawImages))) {
      int magic = in.readInt();
      n = in.readInt() & 0xffffffffL;
      int rows = in.readInt();
      int cols = in.readInt();
      if (magic != 0x803) {
        throw new IOException(
            "--source="
                + images
                + ": not an IDX3 image file (magic 0x"
                + Integer.toHexString(magic)
                + ", expected 0x803)");
      }
      if (rows != 28 || cols != 28) {
        throw new IOException(
            "--source=" + images + ": MNIST images must be 28x28, got " + rows + "x" + cols);
      }
    } catch (EOFException e) {
      throw new IOException("--source=" + images + ": truncated IDX header", e);
    }
    long expectedBytes = 16 + n * 28 * 28;
    if (Files.size(rawImages) < expectedBytes) {
      throw new IOException(
          "--source="
              + images
              + ": truncated, "
              + n
              + " images need "
              + expectedBytes
              + " bytes, file has "
              + Files.size(rawImages));
    }
    try (DataInputStream in = new DataInputStream(Files.newInputStream(rawLabels))) {
      int magic = in.readInt();
      long m = in.readInt() & 0xffffffffL;
      if (magic != 0x801) {
        throw new IOException(
            labels + ": not an IDX1 label file (magic 0x" + Integer.toHexString(magic) + ")");
      }
      if (m != n || Files.size(rawLabels) < 8 + n) {
        throw new IOException(
            labels + ": holds " + m + " labels for " + n + " images of " + images);
      }
    }
    RawRecordSource.Part part =
        new RawRecordSource.Part(
            rawImages.toString(), 16, rawLabels.toString(), 8, 1, n, images.toString());
    return new RawRecordSource(
        "MNIST " + images, RawRecordSource.Layout.MNIST_PADDED, List.of(part), maxImages);
  }

  /** The file itself when raw; else its decompressed copy in the work folder. */
  private static Path gunzipIfNeeded(Path file, Path target) throws IOException {
    byte[] head = new byte[2];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, 2) < 2 || (head[0] & 0xff) != 0x1f || (head[1] & 0xff) != 0x8b) {
        return file;
      }
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        OutputStream out = Files.newOutputStream(target)) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new IOException(file + ": cannot decompress: " + e.getMessage(), e);
    }
    return target;
  }

  // ------------------------------------------------------------------------------------- CIFAR-10

  private static PreparedSource prepareCifar10(Path tarball, long maxImages, Path workDir)
      throws IOException {
    RawRecordSource.Part[] parts = new RawRecordSource.Part[5];
    try (InputStream in =
        new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tarball), 1 << 16))) {
      TarReader tar = new TarReader(in, tarball.toString());
      TarReader.Entry e;
      while ((e = tar.next()) != null) {
        String name = e.name.startsWith("./") ? e.name.substring(2) : e.name;
        if (!name.matches("cifar-10-batches-py/data_batch_[1-5]")) {
          continue;
        }
        int b = name.charAt(name.length() - 1) - '1';
        String what = tarball + ":" + name;
        CifarBatch batch = CifarBatch.read(tar.readData(e), what);
        Path raw = workDir.resolve("cifar-batch-" + (b + 1) + ".raw");
        Path lab = workDir.resolve("cifar-batch-" + (b + 1) + ".labels");
        Files.write(raw, batch.data);
        try (DataOutputStream out =
            new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(lab)))) {
          for (int l : batch.labels) {
            out.writeInt(l);
          }
        }
        parts[b] =
            new RawRecordSource.Part(raw.toString(), 0, lab.toString(), 0, 4, batch.rows, what);
      }
    } catch (java.util.zip.ZipException e) {
      throw new IOException(
          "--source=" + tarball + ": not a gzip'ed tarball: " + e.getMessage(), e);
    }
    List<RawRecordSource.Part> ordered = new ArrayList<>();
    for (int b = 0; b < 5; b++) {
      if (parts[b] == null) {
        throw new IOException(
            "--source="
                + tarball
                + ": member cifar-10-batches-py/data_batch_"
                + (b + 1)
                + " not found");
      }
      ordered.add(parts[b]);
    }
    return new RawRecordSource(
        "CIFAR-10 " + tarball, RawRecordSource.Layout.CIFAR_CHW, ordered, maxImages);
  }

  /** A minimal reader of ustar/GNU tar streams: names, sizes and file data. */
  static final class TarReader {
    static final class Entry {
      final String name;
      final long size;
      final char type;

      Entry(String name, long size, char type) {
        this.name = name;
        this.size = size;
        this.type = type;
      }
    }

    private final InputStream in;
    private final String what;
    private long pending; // unread data + padding of the current entry

    TarReader(InputStream in, String what) {
      this.in = in;
      this.what = what;
    }

    Entry next() throws IOException {
      skipFully(pending);
      pending = 0;
      String longName = null;
      while (true) {
        byte[] h = in.readNBytes(512);
        if (h.length < 512) {
          if (h.length == 0) {
            return null;
          }
          throw new IOException(what + ": truncated tar header");
        }
        boolean zero = true;
        for (byte b : h) {
          if (b != 0) {
            zero = false;
            break;
          }
        }
        if (zero) {
          return null;
        }
        String name = cString(h, 0, 100);
        String magic = cString(h, 257, 6);
        if (magic.startsWith("ustar") && h[345] != 0) {
          name = cString(h, 345, 155) + "/" + name;
        }
        long size = size(h);
        char type = (char) h[156];
        long padded = (size + 511) / 512 * 512;
        if (type == 'L') { // GNU long name: the data is the next entry's name
          byte[] n = in.readNBytes((int) size);
          skipFully(padded - size);
          longName = cString(n, 0, n.length);
          continue;
        }
        if (type == 'x' || type == 'g') { // pax headers: not needed for CIFAR's names
          skipFully(padded);
          continue;
        }
        pending = padded;
        return new Entry(longName != null ? longName : name, size, type);
      }
    }

    byte[] readData(Entry e) throws IOException {
      if (e.size > Integer.MAX_VALUE - 16) {
        throw new IOException(what + ":" + e.name + " is too large (" + e.size + " bytes)");
      }
      byte[] data = in.readNBytes((int) e.size);
      if (data.length != e.size) {
        throw new IOException(what + ":" + e.name + " is truncated");
      }
      pending -= e.size;
      return data;
    }

    private long size(byte[] h) throws IOException {
      if ((h[124] & 0x80) != 0) { // base-256 size for large members
        long v = 0;
        for (int i = 125; i < 136; i++) {
          v = (v << 8) | (h[i] & 0xff);
        }
        return v;
      }
      String s = cString(h, 124, 12).trim();
      try {
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
      } catch (NumberFormatException e) {
        throw new IOException(what + ": bad tar header size '" + s + "'");
      }
    }

    private void skipFully(long n) throws IOException {
      while (n > 0) {
        long s = in.skip(n);
        if (s <= 0) {
          if (in.read() < 0) {
            throw new IOException(what + ": truncated tar stream");
          }
          s = 1;
        }
        n -= s;
      }
    }

    private static String cString(byte[] b, int off, int len) {
      int end = off;
      while (end < off + len && b[end] != 0) {
        end++;
      }
      return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
  }
}
