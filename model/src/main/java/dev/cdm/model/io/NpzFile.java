package dev.cdm.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A NumPy {@code .npz} archive: a ZIP of {@code <key>.npy} members, as {@code np.savez} writes
 * (uncompressed) and {@code np.load} reads (compressed or not). Errors name the file and the key.
 * The project's one {@code .npz} reader and writer: FID statistics files, the reference's test
 * fixtures ({@link #toNDArrays}) and feature samples all go through it.
 */
public final class NpzFile {
  private final String source;
  private final Map<String, NpyArray> arrays;

  private NpzFile(String source, Map<String, NpyArray> arrays) {
    this.source = source;
    this.arrays = Collections.unmodifiableMap(arrays);
  }

  /** Reads every array of {@code path}. */
  public static NpzFile read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, path.toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("Statistics file not found: " + path, e);
    }
  }

  /** Reads every array of a stream; {@code source} names it in errors. */
  public static NpzFile read(InputStream stream, String source) throws IOException {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(stream)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        String name = e.getName();
        if (e.isDirectory() || !name.endsWith(".npy")) {
          continue;
        }
        String key = name.substring(0, name.length() - 4);
        arrays.put(key, NpyArray.parse(zip.readAllBytes(), source + " key '" + key + "'"));
      }
    } catch (java.util.zip.ZipException e) {
      throw new IOException(source + ": not a .npz (ZIP) file: " + e.getMessage(), e);
    }
    if (arrays.isEmpty()) {
      throw new IOException(source + ": not a .npz file (no .npy members)");
    }
    return new NpzFile(source, arrays);
  }

  /** Where this archive came from, as errors name it. */
  public String source() {
    return source;
  }

  public Map<String, NpyArray> arrays() {
    return arrays;
  }

  /**
   * Every array on {@code manager}, keyed as in the archive, with its dtype and shape (what DJL's
   * {@code NDList.decode} gives for an {@code .npz}, named by key).
   */
  public Map<String, NDArray> toNDArrays(NDManager manager) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    arrays.forEach(
        (k, a) -> {
          NDArray x = a.toNDArray(manager);
          x.setName(k);
          out.put(k, x);
        });
    return out;
  }

  /** The array under {@code key}; an error names the file, the key and the keys present. */
  public NpyArray get(String key) throws IOException {
    NpyArray a = arrays.get(key);
    if (a == null) {
      throw new IOException(
          source + ": missing key '" + key + "' (keys present: " + arrays.keySet() + ")");
    }
    return a;
  }

  /** The bytes of an {@code np.savez} file of {@code arrays} (members stored uncompressed). */
  public static byte[] toBytes(Map<String, NpyArray> arrays) throws IOException {
    java.io.ByteArrayOutputStream os = new java.io.ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(os)) {
      for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
        byte[] bytes = e.getValue().toBytes();
        ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
        // np.savez stores members uncompressed; STORED needs size and CRC up front.
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    return os.toByteArray();
  }

  /**
   * Writes {@code arrays} to {@code path} as {@code np.savez} does: written to a temporary file in
   * the same folder, then renamed, so a reader never sees a partial file.
   */
  public static void write(Path path, Map<String, NpyArray> arrays) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = LocalFiles.tempBeside(path);
    try {
      Files.write(tmp, toBytes(arrays));
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
