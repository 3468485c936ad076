package dev.cdm.model.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;

/**
 * A dataset as {@code dataset_tool} writes it and the reference {@code ImageFolderDataset} reads
 * it: a ZIP archive or a folder of images (any depth), in sorted name order, with optional labels
 * from a top-level {@code dataset.json} ({@code {"labels": [[name, label], ...]}} or null).
 *
 * <p>Images decode to uint8 pixels laid out CHW (1 channel for grayscale, 3 for RGB), as the
 * reference's {@code _load_raw_image} returns them. Thread-safe for reads.
 */
public final class ImageArchive implements Closeable {
  private static final Set<String> EXTENSIONS =
      Set.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm");

  private final Path path;
  private final ZipFile zip; // null for a folder
  private final List<String> names;
  private final Map<String, Integer> labels; // null when dataset.json has none

  private ImageArchive(Path path, ZipFile zip, List<String> names, Map<String, Integer> labels) {
    this.path = path;
    this.zip = zip;
    this.names = names;
    this.labels = labels;
  }

  /** Opens a ZIP file or a folder; an error names the path when it is neither. */
  public static ImageArchive open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      List<String> all = new ArrayList<>();
      try (Stream<Path> s = Files.walk(path)) {
        s.filter(Files::isRegularFile)
            .forEach(p -> all.add(path.relativize(p).toString().replace('\\', '/')));
      }
      Collections.sort(all);
      return new ImageArchive(path, null, imagesOf(all), labelsOf(path, all, null));
    }
    if (!Files.isRegularFile(path)) {
      throw new IOException("Dataset not found: " + path + " (expected a .zip file or a folder)");
    }
    ZipFile zip;
    try {
      zip = new ZipFile(path.toFile());
    } catch (IOException e) {
      throw new IOException("Not a readable ZIP archive: " + path + " (" + e.getMessage() + ")", e);
    }
    List<String> all = new ArrayList<>();
    zip.stream().filter(e -> !e.isDirectory()).forEach(e -> all.add(e.getName()));
    Collections.sort(all);
    return new ImageArchive(path, zip, imagesOf(all), labelsOf(path, all, zip));
  }

  private static List<String> imagesOf(List<String> all) {
    List<String> images = new ArrayList<>();
    for (String n : all) {
      int dot = n.lastIndexOf('.');
      if (dot >= 0 && EXTENSIONS.contains(n.substring(dot).toLowerCase(Locale.ROOT))) {
        images.add(n);
      }
    }
    return Collections.unmodifiableList(images);
  }

  private static final Pattern LABEL_ENTRY =
      Pattern.compile("\\[\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,\\s*(-?\\d+)\\s*\\]");

  private static Map<String, Integer> labelsOf(Path path, List<String> all, ZipFile zip)
      throws IOException {
    if (!all.contains("dataset.json")) {
      return null;
    }
    String json;
    if (zip != null) {
      try (InputStream in = zip.getInputStream(zip.getEntry("dataset.json"))) {
        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } else {
      json = Files.readString(path.resolve("dataset.json"));
    }
    // dataset.json is {"labels": null} or {"labels": [["00000/img00000000.png", 6], ...]}.
    if (json.replaceAll("\\s", "").contains("\"labels\":null")) {
      return null;
    }
    Map<String, Integer> labels = new HashMap<>();
    Matcher m = LABEL_ENTRY.matcher(json);
    while (m.find()) {
      labels.put(m.group(1).replace("\\/", "/"), Integer.parseInt(m.group(2)));
    }
    return labels.isEmpty() ? null : labels;
  }

  public Path path() {
    return path;
  }

  /** Image names in the reference's order (sorted). */
  public List<String> names() {
    return names;
  }

  public int size() {
    return names.size();
  }

  /** True when dataset.json provides labels. */
  public boolean hasLabels() {
    return labels != null;
  }

  /** The integer label of image {@code index}; an error names the image when it has none. */
  public int label(int index) {
    String name = names.get(index);
    Integer l = labels == null ? null : labels.get(name);
    if (l == null) {
      throw new IllegalStateException("dataset.json of " + path + " has no label for " + name);
    }
    return l;
  }

  /** The encoded bytes of image {@code index}. */
  public byte[] bytes(int index) throws IOException {
    String name = names.get(index);
    if (zip != null) {
      ZipEntry e = zip.getEntry(name);
      try (InputStream in = zip.getInputStream(e)) {
        return in.readAllBytes();
      }
    }
    return Files.readAllBytes(path.resolve(name));
  }

  /** Decodes image {@code index} to uint8 CHW pixels; an error names the image. */
  public Pixels pixels(int index) {
    String name = names.get(index);
    try {
      return Pixels.decode(bytes(index));
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new IOException("Cannot decode image " + name + " in " + path + ": " + e.getMessage(), e));
    }
  }

  @Override
  public void close() throws IOException {
    if (zip != null) {
      zip.close();
    }
  }

  /** Decoded uint8 pixels, CHW. */
  public static final class Pixels {
    public final int channels;
    public final int height;
    public final int width;
    public final byte[] data; // length channels*height*width, CHW

    public Pixels(int channels, int height, int width, byte[] data) {
      this.channels = channels;
      this.height = height;
      this.width = width;
      this.data = data;
    }

    /** Decodes PNG/JPEG/...: grayscale stays 1 channel, anything else becomes RGB (alpha dropped). */
    public static Pixels decode(byte[] encoded) throws IOException {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(encoded));
      if (img == null) {
        throw new IOException("not a supported image format");
      }
      int w = img.getWidth();
      int h = img.getHeight();
      Raster r = img.getRaster();
      int bands = r.getNumBands();
      boolean gray = img.getColorModel().getColorSpace().getType()
              == java.awt.color.ColorSpace.TYPE_GRAY
          && bands <= 2
          && img.getColorModel().getComponentSize(0) == 8;
      if (gray) {
        byte[] out = new byte[h * w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
          r.getSamples(0, y, w, 1, 0, row);
          for (int x = 0; x < w; x++) {
            out[y * w + x] = (byte) row[x];
          }
        }
        return new Pixels(1, h, w, out);
      }
      byte[] out = new byte[3 * h * w];
      int[] argb = new int[w];
      for (int y = 0; y < h; y++) {
        img.getRGB(0, y, w, 1, argb, 0, w);
        for (int x = 0; x < w; x++) {
          int p = argb[x];
          out[y * w + x] = (byte) (p >> 16);
          out[h * w + y * w + x] = (byte) (p >> 8);
          out[2 * h * w + y * w + x] = (byte) p;
        }
      }
      return new Pixels(3, h, w, out);
    }
  }
}
