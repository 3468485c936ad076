package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.FusedKernels;

/**
 * The reference's group normalisation: {@code min(num_groups, C / min_channels_per_group)} groups,
 * learned per-channel affine. Computed as one layer-norm kernel over an [N, G, C/G*H*W] view (the
 * JNI has no group_norm) followed by the affine.
 */
public final class GroupNorm extends Module {
  public final int numChannels;
  public final int numGroups;
  public final double eps;

  public GroupNorm(
      NDManager m, int numChannels, int numGroups, int minChannelsPerGroup, double eps) {
    this.numChannels = numChannels;
    this.numGroups = Math.min(numGroups, numChannels / minChannelsPerGroup);
    this.eps = eps;
    addParameter("weight", m.ones(new Shape(numChannels)));
    addParameter("bias", m.zeros(new Shape(numChannels)));
  }

  public GroupNorm(NDManager m, int numChannels, double eps) {
    this(m, numChannels, 32, 4, eps);
  }

  /** {@code silu(norm(x))}: one fused kernel pair when {@link FusedKernels} is enabled. */
  public NDArray forwardSilu(Forward f, NDArray x) {
    if (FusedKernels.enabled()) {
      return FusedKernels.groupNormSilu(
          x, numGroups, f.castLike(p("weight"), x), f.castLike(p("bias"), x), eps);
    }
    return Ops.silu(composed(f, x));
  }

  public NDArray forward(Forward f, NDArray x) {
    if (FusedKernels.enabled()) {
      return FusedKernels.groupNorm(
          x, numGroups, f.castLike(p("weight"), x), f.castLike(p("bias"), x), eps);
    }
    return composed(f, x);
  }

  /** Layer norm over an [N, G, C/G*H*W] view, then the per-channel affine (no fused kernel). */
  NDArray composed(Forward f, NDArray x) {
    Shape s = x.getShape();
    long n = s.get(0);
    long per = s.size() / n / numGroups;
    Shape norm = new Shape(per);
    NDArray v = x.reshape(n, numGroups, per);
    NDArray y =
        v.getNDArrayInternal()
            .layerNorm(
                v,
                norm,
                f.ones(norm, x.getDataType(), x),
                f.constantZeros(norm, x.getDataType(), x),
                (float) eps)
            .singletonOrThrow()
            .reshape(s);
    Shape c = new Shape(1, numChannels, 1, 1);
    NDArray w = f.own(f.castLike(p("weight"), x).reshape(c));
    NDArray b = f.own(f.castLike(p("bias"), x).reshape(c));
    return y.mul(w).add(b);
  }
}
