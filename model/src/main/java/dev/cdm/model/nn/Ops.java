package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.Autograd;
import dev.cdm.model.torch.FusedKernels;

/** Small compositions of DJL kernels that the PyTorch JNI does not offer directly. */
public final class Ops {
  private Ops() {}

  /**
   * {@code torch.nn.functional.silu}: the fused kernel, else x * sigmoid(x) (the JNI has no silu).
   */
  public static NDArray silu(NDArray x) {
    if (FusedKernels.enabled()) {
      return FusedKernels.silu(x);
    }
    return siluComposed(x);
  }

  /** x * sigmoid(x): two kernels. */
  static NDArray siluComposed(NDArray x) {
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

  /**
   * {@code a.to(dtype)}, differentiable. DJL's {@code toType} runs torch's {@code to()} under a
   * no-grad guard, so a cast would cut the graph (no gradient would reach fp32 master weights
   * through their fp16 copies, nor flow through the fp16 trunk). While gradients are recorded (a
   * {@code GradientCollector} is open: torch's grad mode) the cast is done as {@code cumprod} over
   * a new axis of size 1 with an output dtype: the identity on values, with torch's cast-back in
   * its backward. ({@code NDArray.hasGradient()} cannot decide this: it is false for intermediates
   * that do carry a graph.)
   */
  public static NDArray cast(NDArray a, ai.djl.ndarray.types.DataType dtype) {
    if (a == null || a.getDataType() == dtype) {
      return a;
    }
    if (Autograd.isGradMode()) {
      return a.expandDims(0).cumProd(0, dtype).squeeze(0);
    }
    return a.toType(dtype, false);
  }

  /**
   * An array whose memory belongs to libtorch. On the CPU, DJL's {@code create(...)} wraps a Java
   * direct buffer without copying, and only the array made by {@code create} keeps that buffer
   * reachable: a view taken from it (a slice, a reshape) reads freed memory once the original is
   * unreachable and collected. Arrays made from host data and sliced into views go through here. On
   * a GPU the upload already made a libtorch-owned copy.
   */
  public static NDArray owned(NDArray a) {
    if (a.getDevice().isGpu()) {
      return a;
    }
    NDArray copy = a.duplicate();
    a.close();
    return copy;
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
