package dev.cdm.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense tensor as stored in a checkpoint: shape, element type and contiguous row-major
 * little-endian bytes. Immutable; {@link #data()} hands out read-only views, so a tensor backed by
 * a memory-mapped file is never copied until it is turned into an {@link NDArray} or a Java array.
 */
public final class TensorData {
  private final long[] shape;
  private final TensorDType dtype;
  private final ByteBuffer data; // position 0, limit = byteSize, little-endian

  private TensorData(long[] shape, TensorDType dtype, ByteBuffer data) {
    this.shape = shape;
    this.dtype = dtype;
    this.data = data;
  }

  /**
   * A tensor over the given bytes (from their position to their limit), which must hold exactly
   * {@code numel(shape) * dtype.elementSize()} bytes. The buffer is not copied.
   */
  public static TensorData of(long[] shape, TensorDType dtype, ByteBuffer bytes) {
    long n = numel(shape);
    long expected = n * dtype.elementSize();
    if (bytes.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor of shape "
              + Arrays.toString(shape)
              + " and dtype "
              + dtype
              + " needs "
              + expected
              + " bytes, got "
              + bytes.remaining());
    }
    return new TensorData(
        shape.clone(), dtype, bytes.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
  }

  /** A float32 tensor holding a copy of {@code values}. */
  public static TensorData ofFloats(long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return of(shape, TensorDType.FLOAT32, b);
  }

  /** A copy of an NDArray's contents (any device), in its own dtype. */
  public static TensorData fromNDArray(NDArray array) {
    TensorDType t = TensorDType.fromDjl(array.getDataType());
    if (t == TensorDType.BFLOAT16) {
      // Reading a bfloat16 array back through DJL 0.36's JNI aborts the process; refuse instead.
      throw new IllegalArgumentException(
          "cannot copy a bfloat16 NDArray (DJL 0.36 aborts on it); convert to float32 first");
    }
    if (t == null) {
      throw new IllegalArgumentException("no checkpoint dtype for DJL type " + array.getDataType());
    }
    ByteBuffer src = array.toByteBuffer();
    ByteBuffer copy = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(src.order(ByteOrder.LITTLE_ENDIAN)).flip();
    return of(array.getShape().getShape(), t, copy);
  }

  /**
   * The tensor that torch's {@code as_strided(size, stride, storage_offset)} selects from a
   * storage, made contiguous. Strides and offsets are in elements, as torch records them.
   */
  public static TensorData fromStrided(
      ByteBuffer storage, TensorDType dtype, long storageOffset, long[] size, long[] stride) {
    if (size.length != stride.length) {
      throw new IllegalArgumentException(
          "size "
              + Arrays.toString(size)
              + " and stride "
              + Arrays.toString(stride)
              + " differ in rank");
    }
    int es = dtype.elementSize();
    long storageNumel = storage.remaining() / es;
    long n = numel(size);
    if (storageOffset < 0) {
      throw new IllegalArgumentException("negative storage offset " + storageOffset);
    }
    if (n > 0) {
      long last = storageOffset;
      for (int i = 0; i < size.length; i++) {
        if (stride[i] < 0) {
          throw new IllegalArgumentException("negative stride " + Arrays.toString(stride));
        }
        last += (size[i] - 1) * stride[i];
      }
      if (last >= storageNumel) {
        throw new IllegalArgumentException(
            "tensor of size "
                + Arrays.toString(size)
                + ", stride "
                + Arrays.toString(stride)
                + " and offset "
                + storageOffset
                + " reaches element "
                + last
                + " of a storage of "
                + storageNumel
                + " elements");
      }
    }
    ByteBuffer src = storage.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (isContiguous(size, stride)) {
      ByteBuffer view =
          src.position((int) (storageOffset * es)).limit((int) ((storageOffset + n) * es)).slice();
      return of(size, dtype, view);
    }
    ByteBuffer out = ByteBuffer.allocate((int) (n * es)).order(ByteOrder.LITTLE_ENDIAN);
    if (n > 0) {
      long[] idx = new long[size.length];
      byte[] elem = new byte[es];
      for (long k = 0; k < n; k++) {
        long off = storageOffset;
        for (int d = 0; d < size.length; d++) {
          off += idx[d] * stride[d];
        }
        src.get((int) (off * es), elem);
        out.put(elem);
        for (int d = size.length - 1; d >= 0; d--) {
          if (++idx[d] < size[d]) {
            break;
          }
          idx[d] = 0;
        }
      }
    }
    out.flip();
    return of(size, dtype, out);
  }

  private static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int d = size.length - 1; d >= 0; d--) {
      if (size[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= size[d];
    }
    return true;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  public long[] shape() {
    return shape.clone();
  }

  public TensorDType dtype() {
    return dtype;
  }

  public long numel() {
    return numel(shape);
  }

  public long byteSize() {
    return data.capacity();
  }

  /** A read-only little-endian view of the contiguous bytes, positioned at 0. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    byte[] out = new byte[data.capacity()];
    data().get(out);
    return out;
  }

  /**
   * An NDArray with these contents, created by (and attached to) {@code manager}, in this dtype;
   * except bfloat16, which comes back widened (exactly) to float32, because DJL 0.36's PyTorch JNI
   * aborts the process on bfloat16 buffers.
   */
  public NDArray toNDArray(NDManager manager) {
    if (dtype == TensorDType.BFLOAT16) {
      return manager.create(toFloatArray(), new Shape(shape));
    }
    // DJL copies non-direct buffers; hand it a direct little-endian one so it reads the bytes as
    // they are.
    ByteBuffer direct = ByteBuffer.allocateDirect(data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
    direct.put(data()).flip();
    return manager.create(direct, new Shape(shape), dtype.djlType());
  }

  /** The values converted to float (float16/bfloat16/float64/integers/bool widened or narrowed). */
  public float[] toFloatArray() {
    int n = Math.toIntExact(numel());
    float[] out = new float[n];
    ByteBuffer b = data();
    switch (dtype) {
      case FLOAT32:
        b.asFloatBuffer().get(out);
        break;
      case FLOAT64:
        for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
        break;
      case FLOAT16:
        for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2));
        break;
      case BFLOAT16:
        for (int i = 0; i < n; i++)
          out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
        break;
      case INT64:
        for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8);
        break;
      case INT32:
        for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4);
        break;
      case INT16:
        for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2);
        break;
      case INT8:
        for (int i = 0; i < n; i++) out[i] = b.get(i);
        break;
      case UINT8:
        for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff;
        break;
      case BOOL:
        for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1f : 0f;
        break;
      default:
        throw new IllegalStateException(dtype.toString());
    }
    return out;
  }

  /** IEEE 754 half precision to float, subnormals and specials included. */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** True when shape, dtype and every byte are equal. */
  public boolean contentEquals(TensorData other) {
    return other != null
        && dtype == other.dtype
        && Arrays.equals(shape, other.shape)
        && data().equals(other.data());
  }

  @Override
  public String toString() {
    return "TensorData" + Arrays.toString(shape) + " " + dtype.torchName();
  }
}
