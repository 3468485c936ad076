package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Small compositions of DJL kernels that the PyTorch JNI does not offer directly. */
public final class Ops {
  private Ops() {}

  /** {@code torch.nn.functional.silu}: x * sigmoid(x) (two kernels; the JNI has no fused silu). */
  public static NDArray silu(NDArray x) {
    return x.mul(x.getNDArrayInternal().sigmoid());
  }

  /** {@code torch.nn.functional.conv2d}; bias may be null. */
  public static NDArray conv2d(
      NDArray x, NDArray w, NDArray b, int stride, int padding, int groups) {
    return x.getNDArrayInternal()
        .convolution(
            x,
            w,
            b,
            new Shape(stride, stride),
            new Shape(padding, padding),
            new Shape(1, 1),
            groups)
        .singletonOrThrow();
  }

  /** {@code x @ w.t() + b}; b may be null. */
  public static NDArray linear(NDArray x, NDArray w, NDArray b) {
    return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
  }

  /** Outer product of two vectors ({@code torch.ger}). */
  public static NDArray ger(NDArray a, NDArray b) {
    return a.reshape(-1, 1).mul(b.reshape(1, -1));
  }
}
