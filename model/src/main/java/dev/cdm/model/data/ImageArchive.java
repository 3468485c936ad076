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
 * <p>Images decode with {@link PngCodec#decode}, to what {@code np.array(PIL.Image.open(f))} gives:
 * 1 channel for grayscale and for palette images (their indices), 2 for gray+alpha, 3 for RGB, 4
 * for RGBA. Thread-safe for reads.
 *
 * <p>A folder that is not on the local disk (e.g. {@code gs://bucket/images}) is read through a
 * {@link FolderReader} that the caller provides ({@link #ofFolder}): model/ knows no file system
 * but the local one.
 */
public final class ImageArchive implements Closeable {
  /**
   * Reads the files of a folder by their names relative to it (e.g. through Beam's FileSystems).
   */
  @FunctionalInterface
  public interface FolderReader {
    byte[] read(String relativeName) throws IOException;
  }

  private final Path path; // null for a folder read through a FolderReader
  private final String location;
  private final ZipFile zip; // null for a folder
  private final FolderReader reader; // null for a local folder or a ZIP
  private final List<String> names;
  private final DatasetLabels labels;

  private ImageArchive(Path path, ZipFile zip, List<String> names, DatasetLabels labels) {
    this(path, path.toString(), zip, null, names, labels);
  }

  private ImageArchive(
      Path path,
      String location,
      ZipFile zip,
      FolderReader reader,
      List<String> names,
      DatasetLabels labels) {
    this.path = path;
    this.location = location;
    this.zip = zip;
    this.reader = reader;
    this.names = names;
    this.labels = labels;
  }

  /**
   * A folder of images read through {@code reader}: {@code files} lists every file below {@code
   * location} by its relative name ({@code a/b.png}), as a recursive listing gives them.
   */
  public static ImageArchive ofFolder(String location, List<String> files, FolderReader reader)
      throws IOException {
    List<String> all = new ArrayList<>(files);
    DatasetLabels labels = DatasetLabels.NONE;
    if (all.contains("dataset.json")) {
      labels = DatasetLabels.parse(reader.read("dataset.json"), location + "/dataset.json");
    }
    return new ImageArchive(null, location, null, reader, imagesOf(all), labels);
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

  /** The local ZIP file or folder; null for a folder read through a {@link FolderReader}. */
  public Path path() {
    return path;
  }

  /** Where the images are, as given (a local path or a URI). */
  public String location() {
    return location;
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
   * The label of every image, as the reference's training dataset loads them; null when the dataset
   * has none; an error names the first image without one.
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
    if (reader != null) {
      return reader.read(name);
    }
    return Files.readAllBytes(path.resolve(name));
  }

  /** Decodes image {@code index} (HWC); an error names the image and the dataset. */
  public Pixels pixels(int index) {
    String name = names.get(index);
    try {
      return PngCodec.decode(bytes(index), name);
    } catch (BadImageException e) {
      throw new UncheckedIOException(
          new IOException("Cannot decode image " + e.getMessage() + " in " + location, e));
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException(
              "Cannot read image " + name + " in " + location + ": " + e.getMessage(), e));
    }
  }

  @Override
  public void close() throws IOException {
    if (zip != null) {
      zip.close();
    }
  }
}
