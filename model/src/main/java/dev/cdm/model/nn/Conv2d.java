package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The reference's convolution with optional 2x up/downsampling by a separable FIR resample filter
 * ([1,1] box, [1,3,3,1] bilinear-like), applied depthwise before the convolution (or fused with it,
 * as the reference's {@code fused_resample}). {@code kernel = 0} means resampling only.
 *
 * <p>The JNI has no transposed convolution, so upsampling (the reference's {@code conv_transpose2d}
 * with stride 2) is done as zero insertion followed by an ordinary depthwise convolution, which
 * computes the same sums; for the [1,1] filter that is exactly nearest-neighbour repetition, which
 * is used instead (one kernel per axis, no multiplications).
 */
public final class Conv2d extends Module {
  public final int inChannels;
  public final int outChannels;
  public final int kernel;
  public final boolean up;
  public final boolean down;
  public final boolean fusedResample;
  private final boolean boxFilter;

  /** A convolution with bias and without resampling. */
  public static Conv2d plain(
      NDManager m, int inChannels, int outChannels, int kernel, WeightInit.Spec init) {
    return new Conv2d(
        m, inChannels, outChannels, kernel, true, false, false, List.of(1, 1), false, init);
  }

  public Conv2d(
      NDManager m,
      int inChannels,
      int outChannels,
      int kernel,
      boolean bias,
      boolean up,
      boolean down,
      List<? extends Number> resampleFilter,
      boolean fusedResample,
      WeightInit.Spec init) {
    if (up && down) {
      throw new IllegalArgumentException("Conv2d: up and down are exclusive");
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernel = kernel;
    this.up = up;
    this.down = down;
    this.fusedResample = fusedResample;
    long fanIn = (long) inChannels * kernel * kernel;
    long fanOut = (long) outChannels * kernel * kernel;
    if (kernel != 0) {
      addParameter(
          "weight",
          init.mode.draw(
              m, new Shape(outChannels, inChannels, kernel, kernel), fanIn, fanOut, init.weight));
      if (bias) {
        addParameter("bias", init.mode.draw(m, new Shape(outChannels), fanIn, fanOut, init.bias));
      }
    }
    boolean box = true;
    float[] f = new float[resampleFilter.size()];
    float sum = 0;
    for (int i = 0; i < f.length; i++) {
      f[i] = resampleFilter.get(i).floatValue();
      sum += f[i];
      box &= f[i] == f[0];
    }
    this.boxFilter = box && f.length == 2;
    if (up || down) {
      // f.ger(f) / f.sum()^2, shape [1, 1, k, k]
      float[] ff = new float[f.length * f.length];
      for (int i = 0; i < f.length; i++) {
        for (int j = 0; j < f.length; j++) {
          ff[i * f.length + j] = f[i] * f[j] / (sum * sum);
        }
      }
      addBuffer("resample_filter", m.create(ff, new Shape(1, 1, f.length, f.length)));
    }
  }

  public NDArray forward(Forward fw, NDArray x) {
    NDArray w = fw.castLike(p("weight"), x);
    NDArray b = fw.castLike(p("bias"), x);
    NDArray f = fw.castLike(p("resample_filter"), x);
    int wPad = w != null ? (int) w.getShape().get(3) / 2 : 0;
    int fPad = f != null ? (int) (f.getShape().get(3) - 1) / 2 : 0;

    if (fusedResample && up && w != null) {
      x = upsample(fw, x, f, wPad + fPad);
      return Ops.conv2d(x, w, b, 1, 0, 1);
    }
    if (fusedResample && down && w != null) {
      x = Ops.conv2d(x, w, null, 1, wPad + fPad, 1);
      return addBias(
          fw, Ops.conv2d(x, depthwise(fw, f, outChannels, 1), null, 2, 0, outChannels), b);
    }
    if (up) {
      x = upsample(fw, x, f, fPad);
    }
    if (down) {
      x = Ops.conv2d(x, depthwise(fw, f, inChannels, 1), null, 2, fPad, inChannels);
    }
    if (w != null) {
      return Ops.conv2d(x, w, b, 1, wPad, 1);
    }
    return addBias(fw, x, b);
  }

  private static NDArray addBias(Forward fw, NDArray x, NDArray b) {
    return b == null ? x : x.add(fw.own(b.reshape(1, -1, 1, 1)));
  }

  /** {@code f.mul(scale).tile([channels, 1, 1, 1])}: one copy of the filter per channel. */
  private static NDArray depthwise(Forward fw, NDArray f, int channels, float scale) {
    NDArray t = fw.own(f.tile(new long[] {channels, 1, 1, 1}));
    return scale == 1 ? t : HostScalars.muli(t, scale);
  }

  /**
   * {@code conv_transpose2d(x, f*4 per channel, groups=C, stride=2, padding=pad)}. The filter is
   * symmetric, so the transposed convolution equals a plain convolution of the zero-interleaved
   * input padded by {@code k - 1 - pad}.
   */
  private NDArray upsample(Forward fw, NDArray x, NDArray f, int pad) {
    Shape s = x.getShape();
    long n = s.get(0), c = s.get(1), h = s.get(2), wd = s.get(3);
    if (boxFilter && pad == 0) {
      // Nearest-neighbour doubling, as one broadcast copy: repeat_interleave with an integer count
      // uploads the count to the device (a blocking copy) and costs one pass per axis.
      return x.reshape(n, c, h, 1, wd, 1)
          .broadcast(new Shape(n, c, h, 2, wd, 2))
          .reshape(n, c, 2 * h, 2 * wd);
    }
    int k = (int) f.getShape().get(3);
    int lead = k - 1 - pad;
    if (lead < 0) {
      throw new IllegalStateException(
          "Conv2d: upsampling padding " + pad + " exceeds filter size " + k);
    }
    // Interleave zeros after every column, then after every row: [N, C, 2H, 2W] with x at even
    // positions; the trailing zero row/column makes the output one too large, cropped below.
    // zerosLike: on the pass's manager, freed with the block (not cached: batch-sized).
    NDArray a = NDArrays.stack(new NDList(x, x.zerosLike()), 4).reshape(n, c, h, 2 * wd);
    NDArray d = NDArrays.stack(new NDList(a, a.zerosLike()), 3).reshape(n, c, 2 * h, 2 * wd);
    NDArray y = Ops.conv2d(d, depthwise(fw, f, (int) c, 4), null, 1, lead, (int) c);
    long oh = (h - 1) * 2 - 2L * pad + k;
    long ow = (wd - 1) * 2 - 2L * pad + k;
    return y.get(new NDIndex(":, :, :{}, :{}", oh, ow));
  }
}
