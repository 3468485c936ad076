package dev.cdm.model.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A dataset as {@code dataset_tool} writes it and the reference {@code ImageFolderDataset} reads
 * it: a ZIP archive or a folder of images (any depth), in sorted name order, with optional labels
 * from a top-level {@code dataset.json} (see {@link DatasetLabels}).
 *
 * <p>Images decode with {@link PngCodec#decode}, to what {@code np.array(PIL.Image.open(f))}
 * gives: 1 channel for grayscale and for palette images (their indices), 2 for gray+alpha, 3 for
 * RGB, 4 for RGBA. Thread-safe for reads.
 */
public final class ImageArchive implements Closeable {
  private final Path path;
  private final ZipFile zip; // null for a folder
  private final List<String> names;
  private final DatasetLabels labels;

  private ImageArchive(Path path, ZipFile zip, List<String> names, DatasetLabels labels) {
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
      DatasetLabels labels = DatasetLabels.NONE;
      Path json = path.resolve("dataset.json");
      if (Files.isRegularFile(json)) {
        labels = DatasetLabels.parse(Files.readAllBytes(json), json.toString());
      }
      return new ImageArchive(path, null, imagesOf(all), labels);
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
    try {
      List<String> all = new ArrayList<>();
      zip.stream().filter(e -> !e.isDirectory()).forEach(e -> all.add(e.getName()));
      DatasetLabels labels = DatasetLabels.NONE;
      ZipEntry json = zip.getEntry("dataset.json");
      if (json != null) {
        try (InputStream in = zip.getInputStream(json)) {
          labels = DatasetLabels.parse(in.readAllBytes(), path + ":dataset.json");
        }
      }
      return new ImageArchive(path, zip, imagesOf(all), labels);
    } catch (IOException | RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  private static List<String> imagesOf(List<String> all) {
    List<String> images = new ArrayList<>();
    for (String n : all) {
      if (ImageNames.isImageForDataset(n)) {
        images.add(n);
      }
    }
    images.sort(ImageNames.PYTHON_ORDER);
    return Collections.unmodifiableList(images);
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

  /** True when dataset.json provides labels (not absent, not null). */
  public boolean hasLabels() {
    return !labels.isNull();
  }

  /** The labels of dataset.json as read. */
  public DatasetLabels labels() {
    return labels;
  }

  /**
   * The label of every image, as the reference's training dataset loads them; null when the
   * dataset has none; an error names the first image without one.
   */
  public DatasetLabels.Table labelTable() throws IOException {
    return labels.forImages(names);
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

  /** Decodes image {@code index} (HWC); an error names the image and the dataset. */
  public Pixels pixels(int index) {
    String name = names.get(index);
    try {
      return PngCodec.decode(bytes(index), name);
    } catch (BadImageException e) {
      throw new UncheckedIOException(new IOException(
          "Cannot decode image " + e.getMessage() + " in " + path, e));
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException(
          "Cannot read image " + name + " in " + path + ": " + e.getMessage(), e));
    }
  }

  @Override
  public void close() throws IOException {
    if (zip != null) {
      zip.close();
    }
  }
}
