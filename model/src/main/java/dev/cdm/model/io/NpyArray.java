package dev.cdm.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NumPy {@code .npy} array: a dtype ({@code <f8}, {@code <f4}, {@code |u1}, {@code <i8}, {@code
 * <i4}), a C-order shape and its little-endian bytes. Enough of the format for statistics files,
 * fixtures and pickled numpy arrays; Fortran order and big-endian data are rejected by name.
 */
public final class NpyArray {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private final String dtype;
  private final long[] shape;
  private final byte[] data; // little-endian, C order

  private NpyArray(String dtype, long[] shape, byte[] data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  /** A float64 array ({@code <f8}) of the given shape, C order. */
  public static NpyArray ofDoubles(double[] values, long... shape) {
    checkSize(values.length, shape);
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(values);
    return new NpyArray("<f8", shape.clone(), b.array());
  }

  /** A float32 array ({@code <f4}) of the given shape, C order. */
  public static NpyArray ofFloats(float[] values, long... shape) {
    checkSize(values.length, shape);
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new NpyArray("<f4", shape.clone(), b.array());
  }

  /** A uint8 array ({@code |u1}) of the given shape, C order. */
  public static NpyArray ofBytes(byte[] values, long... shape) {
    checkSize(values.length, shape);
    return new NpyArray("|u1", shape.clone(), values.clone());
  }

  private static void checkSize(int n, long[] shape) {
    long size = 1;
    for (long s : shape) {
      size *= s;
    }
    if (size != n) {
      throw new IllegalArgumentException(n + " values do not fill shape " + Arrays.toString(shape));
    }
  }

  /**
   * An array of a dtype descriptor as numpy writes it ({@code <f8}, {@code |u1}, {@code u1}), a
   * C-order shape and its bytes (not copied); {@code name} appears in every error.
   */
  static NpyArray of(String descr, long[] shape, byte[] data, String name) throws IOException {
    String dtype = normalize(descr);
    long bytes = Math.multiplyExact(count(shape), (long) itemSize(dtype, name));
    if (data.length != bytes) {
      throw new IOException(
          name
              + ": holds "
              + data.length
              + " data bytes, shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + bytes);
    }
    return new NpyArray(dtype, shape.clone(), data);
  }

  private static String normalize(String descr) {
    return descr.equals("<u1") || descr.equals("u1") || descr.equals("=u1") ? "|u1" : descr;
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long s : shape) {
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /**
   * A copy on {@code manager} with the matching DJL data type and shape (a scalar for shape ()).
   */
  public NDArray toNDArray(NDManager manager) {
    DataType type;
    switch (dtype) {
      case "<f8":
        type = DataType.FLOAT64;
        break;
      case "<f4":
        type = DataType.FLOAT32;
        break;
      case "<i8":
        type = DataType.INT64;
        break;
      case "<i4":
        type = DataType.INT32;
        break;
      default:
        type = DataType.UINT8;
        break; // |u1, the only other dtype parse and of accept
    }
    ByteBuffer b = ByteBuffer.allocateDirect(data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(data).rewind();
    return manager.create(b, new Shape(shape), type);
  }

  public String dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long size() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /** The values as float64, converting from any supported numeric dtype. */
  public double[] toDoubles() {
    int n = Math.toIntExact(size());
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[n];
    switch (dtype) {
      case "<f8":
        b.asDoubleBuffer().get(out);
        break;
      case "<f4":
        for (int i = 0; i < n; i++) {
          out[i] = b.getFloat(4 * i);
        }
        break;
      case "<i8":
        for (int i = 0; i < n; i++) {
          out[i] = b.getLong(8 * i);
        }
        break;
      case "<i4":
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(4 * i);
        }
        break;
      case "|u1":
        for (int i = 0; i < n; i++) {
          out[i] = data[i] & 0xff;
        }
        break;
      default:
        throw new IllegalStateException("unsupported dtype " + dtype);
    }
    return out;
  }

  /** The raw bytes of a uint8 array. */
  public byte[] toUint8() {
    if (!dtype.equals("|u1")) {
      throw new IllegalStateException("expected dtype |u1 (uint8), found " + dtype);
    }
    return data.clone();
  }

  /** Parses one {@code .npy} file; {@code name} appears in every error. */
  public static NpyArray parse(byte[] file, String name) throws IOException {
    if (file.length < 10 || !Arrays.equals(Arrays.copyOf(file, 6), MAGIC)) {
      throw new IOException(name + ": not a .npy array (bad magic)");
    }
    int major = file[6] & 0xff;
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = b.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      headerLen = b.getInt(8);
      headerStart = 12;
    } else {
      throw new IOException(name + ": unsupported .npy version " + major);
    }
    if (headerStart + headerLen > file.length) {
      throw new IOException(name + ": truncated .npy header");
    }
    String header =
        new String(
            file,
            headerStart,
            headerLen,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(name + ": malformed .npy header " + header.trim());
    }
    String dtype = normalize(d.group(1));
    int itemSize = itemSize(dtype, name);
    if (f.group(1).equals("True")) {
      throw new IOException(name + ": Fortran-order arrays are not supported");
    }
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      if (!part.isBlank()) {
        dims.add(Long.parseLong(part.trim()));
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long dim : shape) {
      count *= dim;
    }
    int dataStart = headerStart + headerLen;
    long bytes = count * itemSize;
    if (file.length - dataStart < bytes) {
      throw new IOException(
          name
              + ": holds "
              + (file.length - dataStart)
              + " data bytes, shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + bytes);
    }
    return new NpyArray(dtype, shape, Arrays.copyOfRange(file, dataStart, dataStart + (int) bytes));
  }

  private static int itemSize(String dtype, String name) throws IOException {
    switch (dtype) {
      case "<f8":
      case "<i8":
        return 8;
      case "<f4":
      case "<i4":
        return 4;
      case "|u1":
        return 1;
      default:
        throw new IOException(
            name + ": unsupported dtype " + dtype + " (expected <f8, <f4, <i8, <i4 or |u1)");
    }
  }

  /** Serialises as a version 1.0 {@code .npy} file, header padded to 64 bytes as NumPy does. */
  public byte[] toBytes() {
    StringBuilder shapeText = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      shapeText
          .append(shape[i])
          .append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
    }
    shapeText.append(")");
    String dict =
        String.format(
            Locale.ROOT,
            "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
            dtype,
            shapeText);
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - unpadded) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream(padded + data.length);
    out.writeBytes(MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xff);
    out.write(header.length() >>> 8);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }
}
