package dev.cdm.model.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a UTF-8 JSON header mapping each tensor name to {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the data section) plus an optional {@code __metadata__} map of
 * strings, then the raw little-endian tensor bytes. Readable by Python's {@code safetensors} and
 * torch; here it is read by mapping the file (tensors are views of the mapping, no copy).
 */
public final class SafetensorsFile {
  /** The reference implementation refuses headers above 100 MB; so do we. */
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

  private final LinkedHashMap<String, TensorData> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(LinkedHashMap<String, TensorData> tensors, Map<String, String> metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Tensors in header order (the order they were written in). */
  public Map<String, TensorData> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  /** The {@code __metadata__} string map (empty if absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Writes tensors (in map order, data in the same order) and metadata to {@code path}: first to a
   * temporary file beside it, then renamed, so that readers never see a partial file.
   */
  public static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata)
      throws IOException {
    JsonObject header = new JsonObject();
    if (metadata != null && !metadata.isEmpty()) {
      JsonObject md = new JsonObject();
      metadata.forEach(md::addProperty);
      header.add("__metadata__", md);
    }
    long offset = 0;
    for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException(
            "tensor name __metadata__ is reserved (writing " + path + ")");
      }
      TensorData t = e.getValue();
      JsonObject o = new JsonObject();
      o.addProperty("dtype", t.dtype().safetensorsName());
      JsonArray shape = new JsonArray();
      for (long s : t.shape()) {
        shape.add(s);
      }
      o.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(offset + t.byteSize());
      o.add("data_offsets", offsets);
      header.add(e.getKey(), o);
      offset += t.byteSize();
    }
    byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
    // Pad with spaces so that the data section starts 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();

    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Not Files.createTempFile: its owner-only mode (0600) would stay on the renamed snapshot,
    // while every other file the product writes gets the usual permissions (umask).
    Path tmp = dir.resolve("." + path.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, head);
        for (TensorData t : tensors.values()) {
          writeFully(ch, t.data());
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /**
   * Reads a safetensors file by mapping it; the header is validated in full before any tensor is
   * made.
   */
  public static SafetensorsFile read(Path path) throws IOException {
    String name = path.toString();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw bad(name, "file of " + size + " bytes has no header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      while (lenBuf.hasRemaining() && ch.read(lenBuf, lenBuf.position()) > 0) {
        // read the 8 length bytes
      }
      long n = lenBuf.flip().getLong();
      if (n <= 0 || n > MAX_HEADER || n > size - 8) {
        throw bad(name, "header length " + n + " is impossible for a file of " + size + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      while (hb.hasRemaining()) {
        if (ch.read(hb, 8 + hb.position()) < 0) {
          throw bad(name, "header truncated");
        }
      }
      JsonObject header = parseHeader(name, hb.array());
      long dataStart = 8 + n;
      long dataLen = size - dataStart;

      Map<String, String> metadata = new LinkedHashMap<>();
      List<Entry> entries = new ArrayList<>();
      for (Map.Entry<String, JsonElement> e : header.entrySet()) {
        if (e.getKey().equals("__metadata__")) {
          if (!e.getValue().isJsonObject()) {
            throw bad(name, "__metadata__ is not an object");
          }
          for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
            if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
              throw bad(name, "__metadata__ value of " + m.getKey() + " is not a string");
            }
            metadata.put(m.getKey(), m.getValue().getAsString());
          }
          continue;
        }
        entries.add(parseEntry(name, e.getKey(), e.getValue(), dataLen));
      }
      // As the reference reader: offsets must tile the data section exactly, without gaps or
      // overlaps.
      List<Entry> byOffset = new ArrayList<>(entries);
      byOffset.sort(Comparator.comparingLong((Entry x) -> x.begin).thenComparingLong(x -> x.end));
      long expect = 0;
      for (Entry x : byOffset) {
        if (x.begin != expect) {
          throw bad(
              name,
              "tensor "
                  + x.name
                  + " starts at data offset "
                  + x.begin
                  + ", expected "
                  + expect
                  + " (gap or overlap)");
        }
        expect = x.end;
      }
      if (expect != dataLen) {
        throw bad(
            name, "tensors cover " + expect + " bytes of a data section of " + dataLen + " bytes");
      }

      LinkedHashMap<String, TensorData> tensors = new LinkedHashMap<>();
      MappedByteBuffer all =
          dataLen > 0 && dataLen <= Integer.MAX_VALUE
              ? ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen)
              : null;
      for (Entry x : entries) {
        ByteBuffer bytes;
        int len = Math.toIntExact(x.end - x.begin);
        if (len == 0) {
          bytes = ByteBuffer.allocate(0);
        } else if (all != null) {
          bytes = all.duplicate().position((int) x.begin).limit((int) x.end).slice();
        } else {
          bytes = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + x.begin, len);
        }
        tensors.put(x.name, TensorData.of(x.shape, x.dtype, bytes.order(ByteOrder.LITTLE_ENDIAN)));
      }
      return new SafetensorsFile(tensors, Collections.unmodifiableMap(metadata));
    }
  }

  private static final class Entry {
    String name;
    TensorDType dtype;
    long[] shape;
    long begin;
    long end;
  }

  private static JsonObject parseHeader(String name, byte[] bytes) throws IOException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (!text.startsWith("{")) {
      throw bad(name, "header does not start with '{'");
    }
    try {
      JsonElement e = JsonParser.parseString(text);
      if (!e.isJsonObject()) {
        throw bad(name, "header is not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw bad(name, "header is not valid JSON: " + e.getMessage());
    }
  }

  private static Entry parseEntry(String file, String key, JsonElement v, long dataLen)
      throws IOException {
    if (!v.isJsonObject()) {
      throw bad(file, "entry " + key + " is not an object");
    }
    JsonObject o = v.getAsJsonObject();
    Entry x = new Entry();
    x.name = key;
    try {
      String dt = o.get("dtype").getAsString();
      x.dtype = TensorDType.fromSafetensors(dt);
      if (x.dtype == null) {
        throw bad(file, "tensor " + key + " has unsupported dtype " + dt);
      }
      JsonArray shape = o.get("shape").getAsJsonArray();
      x.shape = new long[shape.size()];
      for (int i = 0; i < x.shape.length; i++) {
        x.shape[i] = shape.get(i).getAsLong();
        if (x.shape[i] < 0) {
          throw bad(file, "tensor " + key + " has a negative dimension");
        }
      }
      JsonArray off = o.get("data_offsets").getAsJsonArray();
      if (off.size() != 2) {
        throw bad(file, "tensor " + key + " data_offsets must hold two numbers");
      }
      x.begin = off.get(0).getAsLong();
      x.end = off.get(1).getAsLong();
    } catch (NullPointerException
        | IllegalStateException
        | UnsupportedOperationException
        | NumberFormatException
        | ClassCastException e) {
      throw bad(
          file,
          "tensor "
              + key
              + " needs dtype (string), shape (integers) and data_offsets (two integers)");
    }
    if (x.begin < 0 || x.end < x.begin || x.end > dataLen) {
      throw bad(
          file,
          "tensor "
              + key
              + " data_offsets ["
              + x.begin
              + ", "
              + x.end
              + "] outside the data section of "
              + dataLen
              + " bytes");
    }
    long need;
    try {
      need = Math.multiplyExact(TensorData.numel(x.shape), (long) x.dtype.elementSize());
    } catch (ArithmeticException e) {
      throw bad(file, "tensor " + key + " shape is too large");
    }
    if (x.end - x.begin != need) {
      throw bad(
          file,
          "tensor "
              + key
              + " has "
              + (x.end - x.begin)
              + " bytes, its shape and dtype need "
              + need);
    }
    return x;
  }

  private static IOException bad(String name, String what) {
    return new IOException("invalid safetensors file " + name + ": " + what);
  }
}
