package dev.cdm.pipelines.dataset;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/** Test inputs and helpers: fixture archives, decoding a written dataset, a CIFAR-10 tarball. */
final class DatasetTestData {
  private DatasetTestData() {}

  static Path mnistDir() {
    Path p = Path.of("..", "data", "mnist");
    return (Files.isDirectory(p) ? p : Path.of("data", "mnist")).toAbsolutePath().normalize();
  }

  static Path unzipResource(String resource, Path dir) throws IOException {
    try (InputStream raw = DatasetTestData.class.getClassLoader().getResourceAsStream(resource);
        ZipInputStream in = new ZipInputStream(raw)) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path out = dir.resolve(e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(in, out);
        }
      }
    }
    return dir;
  }

  /** A written dataset: entry name to decoded pixels, plus the dataset.json text. */
  static final class Decoded {
    final Map<String, Pixels> images = new TreeMap<>();
    String datasetJson;
  }

  static Decoded decode(Path dataset) throws Exception {
    Decoded d = new Decoded();
    if (Files.isDirectory(dataset)) {
      try (var s = Files.walk(dataset)) {
        for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
          put(d, dataset.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
      }
    } else {
      try (ZipFile z = new ZipFile(dataset.toFile())) {
        for (var en = z.entries(); en.hasMoreElements(); ) {
          ZipEntry e = en.nextElement();
          if (e.getMethod() != ZipEntry.STORED) {
            throw new AssertionError(e.getName() + " is not stored uncompressed");
          }
          try (InputStream in = z.getInputStream(e)) {
            put(d, e.getName(), in.readAllBytes());
          }
        }
      }
    }
    return d;
  }

  private static void put(Decoded d, String name, byte[] bytes) throws Exception {
    if (name.equals("dataset.json")) {
      d.datasetJson = new String(bytes, StandardCharsets.UTF_8);
    } else {
      d.images.put(name, PngCodec.decode(bytes, name));
    }
  }

  /** Runs {@code cdm dataset args...} in-process; returns exit code and captured stderr. */
  static Object[] runCommand(String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream p =
        new PrintStream(new TeeStream(err, oldErr), true, StandardCharsets.UTF_8)) {
      System.setErr(p);
      String[] full = new String[args.length + 1];
      full[0] = "dataset";
      System.arraycopy(args, 0, full, 1, args.length);
      rc = dev.cdm.pipelines.Cdm.commandLine().execute(full);
    } finally {
      System.setErr(oldErr);
    }
    return new Object[] {rc, err.toString(StandardCharsets.UTF_8)};
  }

  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }

  // ----------------------------------------------------------------------- CIFAR-10 tarball

  /**
   * Writes {@code cifar-10-python.tar.gz} with data_batch_1..5 pickled as CIFAR-10's own files are
   * (protocol 2, a dict of Python 2 strings, the images a uint8 numpy array rebuilt through
   * numpy.core.multiarray._reconstruct, the labels a list). Image i of batch b has pixel (c, y, x)
   * = (b * 50 + i * 7 + c * 31 + y * 3 + x) mod 256 and label (b + i) mod 10. The members are
   * written in the order 3, 1, 2, 5, 4 (the reader must order them).
   */
  static Path writeCifarTarball(Path dir, int perBatch) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (int b : new int[] {3, 1, 2, 5, 4}) {
      byte[] data = new byte[perBatch * 3072];
      int[] labels = new int[perBatch];
      for (int i = 0; i < perBatch; i++) {
        labels[i] = cifarLabel(b, i);
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
              data[i * 3072 + c * 1024 + y * 32 + x] = (byte) cifarPixel(b, i, c, y, x);
            }
          }
        }
      }
      tarEntry(tar, "cifar-10-batches-py/data_batch_" + b, cifarPickle(data, perBatch, labels));
    }
    tarEntry(tar, "cifar-10-batches-py/test_batch", new byte[] {1, 2, 3});
    tar.write(new byte[1024]);
    Path file = dir.resolve("cifar-10-python.tar.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      tar.writeTo(out);
    }
    return file;
  }

  static int cifarPixel(int batch, int i, int c, int y, int x) {
    return (batch * 50 + i * 7 + c * 31 + y * 3 + x) & 0xff;
  }

  static int cifarLabel(int batch, int i) {
    return (batch + i) % 10;
  }

  static byte[] cifarPickle(byte[] data, int rows, int[] labels) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80);
    p.write(2);
    p.write('}');
    p.write('q');
    p.write(1);
    p.write('(');
    shortStr(p, "batch_label");
    shortStr(p, "training batch 1 of 5");
    shortStr(p, "data");
    ascii(p, "cnumpy.core.multiarray\n_reconstruct\n");
    ascii(p, "cnumpy\nndarray\n");
    p.write('K');
    p.write(0);
    p.write(0x85);
    shortStr(p, "b");
    p.write(0x87);
    p.write('R');
    p.write('(');
    p.write('K');
    p.write(1);
    p.write('M');
    p.write(rows & 0xff);
    p.write(rows >> 8);
    p.write('M');
    p.write(3072 & 0xff);
    p.write(3072 >> 8);
    p.write(0x86);
    ascii(p, "cnumpy\ndtype\n");
    shortStr(p, "u1");
    p.write('K');
    p.write(0);
    p.write('K');
    p.write(1);
    p.write(0x87);
    p.write('R');
    p.write('(');
    p.write('K');
    p.write(3);
    shortStr(p, "|");
    p.write('N');
    p.write('N');
    p.write('N');
    p.write('J');
    le32(p, -1);
    p.write('J');
    le32(p, -1);
    p.write('K');
    p.write(0);
    p.write('t');
    p.write('b');
    p.write(0x89);
    p.write('T');
    le32(p, data.length);
    p.write(data, 0, data.length);
    p.write('t');
    p.write('b');
    shortStr(p, "labels");
    p.write(']');
    p.write('(');
    for (int l : labels) {
      p.write('K');
      p.write(l);
    }
    p.write('e');
    p.write('u');
    p.write('.');
    return p.toByteArray();
  }

  private static void shortStr(ByteArrayOutputStream p, String s) {
    p.write('U');
    p.write(s.length());
    ascii(p, s);
  }

  private static void ascii(ByteArrayOutputStream p, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    p.write(b, 0, b.length);
  }

  private static void le32(ByteArrayOutputStream p, int v) {
    p.write(v);
    p.write(v >> 8);
    p.write(v >> 16);
    p.write(v >> 24);
  }

  private static void tarEntry(ByteArrayOutputStream tar, String name, byte[] data)
      throws IOException {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", data.length));
    put(h, 136, "00000000000");
    h[156] = '0';
    put(h, 257, "ustar");
    put(h, 263, "00");
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    int sum = 0;
    for (byte x : h) {
      sum += x & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    tar.write(h);
    tar.write(data);
    tar.write(new byte[(512 - data.length % 512) % 512]);
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }
}
