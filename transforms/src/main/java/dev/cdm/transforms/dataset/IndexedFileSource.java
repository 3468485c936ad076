package dev.cdm.transforms.dataset;

import dev.cdm.model.data.BadImageException;
import dev.cdm.model.data.DatasetLabels;
import dev.cdm.model.data.ImageNames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * An image folder (recursive) or an image ZIP, as the reference's {@code open_image_folder} and
 * {@code open_image_zip} list them. Preparing writes an index file (label + name per image, in
 * order) and an offsets file (8 bytes per image) to the work folder, so that a worker seeks to its
 * range instead of holding the whole listing.
 */
final class IndexedFileSource implements PreparedSource {
  private static final long serialVersionUID = 1L;
  private final String root; // the folder or the ZIP file
  private final boolean zip;
  private final String indexFile;
  private final String offsetsFile;
  private final long size;

  private IndexedFileSource(
      String root, boolean zip, String indexFile, String offsetsFile, long size) {
    this.root = root;
    this.zip = zip;
    this.indexFile = indexFile;
    this.offsetsFile = offsetsFile;
    this.size = size;
  }

  /** Lists a folder as {@code sorted(Path(dir).rglob('*'))}: depth first, each level sorted. */
  static PreparedSource prepareFolder(Path dir, long maxImages, Path workDir) throws IOException {
    Path names = workDir.resolve("names.bin");
    Set<String> topLevel = new TreeSet<>(ImageNames.PYTHON_ORDER);
    long count;
    try (DataOutputStream out = dataOut(names)) {
      count = walk(dir, "", out, topLevel);
    }
    DatasetLabels labels = readLabels(dir.resolve("dataset.json"), "--source=" + dir);
    Map<String, Integer> topIndex = new HashMap<>();
    if (labels.size() == 0) { // as the reference: no (or no non-null) labels in dataset.json
      if (topLevel.size() > 1) { // labels from top-level folder names, as the reference
        int i = 0;
        for (String t : topLevel) {
          topIndex.put(t, i++);
        }
      }
    }
    long n = Math.min(count, maxImages);
    Path index = workDir.resolve("index.bin");
    Path offsets = workDir.resolve("offsets.bin");
    try (DataInputStream in = dataIn(names);
        DataOutputStream idx = dataOut(index);
        DataOutputStream off = dataOut(offsets)) {
      for (long i = 0; i < n; i++) {
        String name = in.readUTF();
        String label;
        if (labels.size() > 0) {
          label = labels.json(name);
        } else if (!topIndex.isEmpty()) {
          label = Integer.toString(topIndex.get(topLevelOf(name)));
        } else {
          label = null;
        }
        off.writeLong(idx.size());
        SourceItem.writeLabel(idx, label);
        idx.writeUTF(name);
      }
    }
    Files.delete(names);
    return new IndexedFileSource(dir.toString(), false, index.toString(), offsets.toString(), n);
  }

  private static String topLevelOf(String name) {
    int slash = name.indexOf('/');
    return slash < 0 ? "" : name.substring(0, slash);
  }

  private static long walk(Path dir, String prefix, DataOutputStream out, Set<String> topLevel)
      throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        children.add(p);
      }
    }
    children.sort(
        (a, b) ->
            ImageNames.PYTHON_ORDER.compare(
                a.getFileName().toString(), b.getFileName().toString()));
    long count = 0;
    for (Path p : children) {
      String rel = prefix + p.getFileName();
      if (Files.isRegularFile(p) && ImageNames.isImageForTool(rel)) {
        out.writeUTF(rel);
        topLevel.add(topLevelOf(rel));
        count++;
      }
      // Like pathlib's rglob, do not descend into symlinked folders (files may be links).
      if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        count += walk(p, rel + "/", out, topLevel);
      }
    }
    return count;
  }

  /** Lists a ZIP as {@code sorted(z.namelist())}, images only; labels from its dataset.json. */
  static PreparedSource prepareZip(Path file, long maxImages, Path workDir) throws IOException {
    List<String> names = new ArrayList<>();
    DatasetLabels labels = DatasetLabels.NONE;
    try (ZipFile z = openZip(file)) {
      for (var e = z.entries(); e.hasMoreElements(); ) {
        String n = e.nextElement().getName();
        if (ImageNames.isImageForTool(n)) {
          names.add(n);
        }
      }
      ZipEntry meta = z.getEntry("dataset.json");
      if (meta != null) {
        try (InputStream in = z.getInputStream(meta)) {
          labels = DatasetLabels.parse(in.readAllBytes(), "--source=" + file + " (dataset.json)");
        }
      }
    }
    names.sort(ImageNames.PYTHON_ORDER);
    long n = Math.min(names.size(), maxImages);
    Path index = workDir.resolve("index.bin");
    Path offsets = workDir.resolve("offsets.bin");
    try (DataOutputStream idx = dataOut(index);
        DataOutputStream off = dataOut(offsets)) {
      for (int i = 0; i < n; i++) {
        String label = labels.json(names.get(i));
        off.writeLong(idx.size());
        SourceItem.writeLabel(idx, label);
        idx.writeUTF(names.get(i));
      }
    }
    return new IndexedFileSource(file.toString(), true, index.toString(), offsets.toString(), n);
  }

  private static ZipFile openZip(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (IOException e) {
      throw new IOException(
          "--source=" + file + " is not a readable ZIP archive: " + e.getMessage(), e);
    }
  }

  /** The labels of {@code json}; {@link DatasetLabels#NONE} when the file is absent. */
  static DatasetLabels readLabels(Path json, String what) throws IOException {
    if (!Files.isRegularFile(json)) {
      return DatasetLabels.NONE;
    }
    return DatasetLabels.parse(Files.readAllBytes(json), what + " (" + json.getFileName() + ")");
  }

  private static DataOutputStream dataOut(Path p) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p), 1 << 16));
  }

  private static DataInputStream dataIn(Path p) throws IOException {
    return new DataInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16));
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String description() {
    return (zip ? "image ZIP " : "image folder ") + root;
  }

  @Override
  public Reader open(long start, long end) throws IOException {
    long offset;
    try (RandomAccessFile raf = new RandomAccessFile(offsetsFile, "r")) {
      raf.seek(start * 8);
      offset = start < size ? raf.readLong() : 0;
    }
    FileChannel ch = FileChannel.open(Path.of(indexFile), StandardOpenOption.READ);
    ch.position(offset);
    DataInputStream in =
        new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16));
    ZipFile z = zip ? openZip(Path.of(root)) : null;
    Path dir = Path.of(root);
    return new Reader() {
      long next = start;

      @Override
      public SourceItem next() throws IOException {
        if (next >= end) {
          return null;
        }
        long i = next++;
        String label;
        String name;
        try {
          label = SourceItem.readLabel(in);
          name = in.readUTF();
        } catch (EOFException e) {
          throw new IOException("Index " + indexFile + " ends before image " + i, e);
        }
        String shown = zip ? root + ":" + name : dir.resolve(name).toString();
        byte[] bytes;
        try {
          if (z != null) {
            ZipEntry e = z.getEntry(name);
            if (e == null) {
              throw new IOException("entry vanished");
            }
            try (InputStream s = z.getInputStream(e)) {
              bytes = s.readAllBytes();
            }
          } else {
            bytes = Files.readAllBytes(dir.resolve(name));
          }
        } catch (IOException | RuntimeException e) {
          return SourceItem.ofError(
              i, shown, label, new BadImageException(shown, "cannot read: " + e, e));
        }
        return SourceItem.ofEncoded(i, shown, label, bytes);
      }

      @Override
      public void close() throws IOException {
        in.close();
        if (z != null) {
          z.close();
        }
      }
    };
  }
}
