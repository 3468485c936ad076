package dev.cdm.transforms.dataset;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/** Test helpers: the reference's dataset_tool fixtures (copied from shared/reference/fixtures). */
public final class Fixtures {
  private Fixtures() {}

  /** The repository's MNIST files (data/mnist at the repository root). */
  public static Path mnistDir() {
    Path p = Path.of("..", "data", "mnist");
    if (!Files.isDirectory(p)) {
      p = Path.of("data", "mnist");
    }
    return p.toAbsolutePath().normalize();
  }

  /** Unzips a test resource (e.g. "dataset/dataset-source-folder.zip") into {@code dir}. */
  public static Path unzipResource(String resource, Path dir) {
    try (InputStream raw = Fixtures.class.getClassLoader().getResourceAsStream(resource);
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
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a test resource to a file. */
  public static Path copyResource(String resource, Path file) {
    try (InputStream raw = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(raw, file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A dataset (ZIP or folder) decoded: entry name to pixels, plus the dataset.json text. */
  public static final class Decoded {
    public final Map<String, Pixels> images = new TreeMap<>();
    public String datasetJson;
  }

  public static Decoded decode(Path dataset) throws Exception {
    Decoded d = new Decoded();
    if (Files.isDirectory(dataset)) {
      try (var s = Files.walk(dataset)) {
        for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
          String name = dataset.relativize(p).toString().replace('\\', '/');
          put(d, name, Files.readAllBytes(p));
        }
      }
    } else {
      try (ZipFile z = new ZipFile(dataset.toFile())) {
        for (var en = z.entries(); en.hasMoreElements(); ) {
          ZipEntry e = en.nextElement();
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

  /** Largest absolute difference of two equally shaped images. */
  public static int maxDiff(Pixels a, Pixels b) {
    int m = 0;
    for (int i = 0; i < a.data().length; i++) {
      m = Math.max(m, Math.abs((a.data()[i] & 0xff) - (b.data()[i] & 0xff)));
    }
    return m;
  }
}
