package dev.cdm.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.TorchArrays;

/**
 * Array-by-number arithmetic that never copies from host to device. DJL's {@code mul(Number)} and
 * friends turn the number into a tensor on the array's device: on a GPU a blocking copy from
 * pageable memory, which waits until the device is idle, so the host cannot queue work ahead. A 0-d
 * float64 tensor on the host is passed by libtorch to the kernel as a plain scalar for CPU and GPU
 * arrays alike, with the type promotion of a Python float (float32 arrays stay float32).
 *
 * <p>The scalar is made by libtorch ({@code torch.full}), so its memory belongs to the tensor.
 * DJL's {@code create(Number)} on the CPU wraps a Java direct buffer without copying; autograd
 * keeps scalar operands for the backward pass (the {@code c} of {@code x * c}), and once the Java
 * array is closed the garbage collector may free that buffer before backward reads it (NaN or
 * garbage gradients, depending on GC timing).
 */
public final class HostScalars {
  private static final NDManager HOST = NDManager.newBaseManager(Device.cpu());

  private HostScalars() {}

  private static NDArray scalar(double c) {
    return scalar(c, DataType.FLOAT64);
  }

  private static NDArray scalar(double c, DataType dtype) {
    return TorchArrays.full(HOST, new Shape(), c, dtype);
  }

  /** {@code x * c}. */
  public static NDArray mul(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.mul(s);
    }
  }

  /** {@code x + c}. */
  public static NDArray add(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.add(s);
    }
  }

  /** {@code x - c}. */
  public static NDArray sub(NDArray x, double c) {
    return add(x, -c);
  }

  /** {@code x / c}. */
  public static NDArray div(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.div(s);
    }
  }

  /** {@code c - x}. */
  public static NDArray rsub(double c, NDArray x) {
    try (NDArray n = x.neg()) {
      return add(n, c);
    }
  }

  /** {@code c / x}. */
  public static NDArray rdiv(double c, NDArray x) {
    try (NDArray s = scalar(c, DataType.FLOAT32)) {
      NDArray r = s.div(x);
      r.attach(x.getManager()); // results join their first operand's manager: the host's here
      return r;
    }
  }

  /** {@code x ** c}. */
  public static NDArray pow(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.pow(s);
    }
  }

  /** {@code c ** x} (a Python float raised to a tensor). */
  public static NDArray rpow(double c, NDArray x) {
    try (NDArray s = scalar(c, DataType.FLOAT32)) {
      NDArray r = s.pow(x);
      r.attach(x.getManager());
      return r;
    }
  }

  /** {@code torch.maximum(x, c)} as the reference writes it (max with a constant). */
  public static NDArray maximum(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.maximum(s);
    }
  }

  /** {@code torch.minimum(x, c)}. */
  public static NDArray minimum(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.minimum(s);
    }
  }

  /**
   * {@code x.clamp(lo, hi)}. DJL's {@code clip(Number, Number)} makes both bounds device tensors
   * (two blocking uploads on a GPU); max-then-min with host scalars gives the same values.
   */
  public static NDArray clip(NDArray x, double lo, double hi) {
    try (NDArray low = maximum(x, lo)) {
      return minimum(low, hi);
    }
  }

  /** In place {@code x *= c}. */
  public static NDArray muli(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.muli(s);
    }
  }

  /** In place {@code x += c}. */
  public static NDArray addi(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.addi(s);
    }
  }

  /** In place {@code x /= c}. */
  public static NDArray divi(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.divi(s);
    }
  }

  /** {@code x < c} as a boolean array. */
  public static NDArray lt(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.lt(s);
    }
  }

  /** {@code x >= c} as a boolean array. */
  public static NDArray gte(NDArray x, double c) {
    try (NDArray s = scalar(c)) {
      return x.gte(s);
    }
  }
}
