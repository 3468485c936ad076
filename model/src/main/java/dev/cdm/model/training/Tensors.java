package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import dev.cdm.model.nn.HostScalars;

/** Small in-place helpers the training state needs and DJL spells awkwardly. */
public final class Tensors {
  private Tensors() {}

  /**
   * dst.copy_(src): overwrites {@code dst}'s storage (same shape; src may be on another device).
   */
  public static void assign(NDArray dst, NDArray src) {
    NDArray s =
        src.getDevice().equals(dst.getDevice()) ? src : src.toDevice(dst.getDevice(), false);
    NDArray t = s.getDataType() != dst.getDataType() ? s.toType(dst.getDataType(), false) : s;
    dst.set(new NDIndex("..."), t);
    if (t != s) {
      t.close();
    }
    if (s != src) {
      s.close();
    }
  }

  /**
   * torch.nan_to_num(g, nan=0, posinf=1e5, neginf=-1e5): the reference's gradient guard, as a new
   * array. Device-side selects only (no number is copied to the device, so no host sync).
   */
  public static NDArray nanToNum(NDArray g) {
    try (NDArray nan = g.isNaN();
        NDArray inf = g.isInfinite();
        NDArray zeros = g.zerosLike();
        NDArray sign = g.sign();
        NDArray big = HostScalars.mul(sign, 1e5);
        NDArray noNan = NDArrays.where(nan, zeros, g)) {
      return NDArrays.where(inf, big, noNan);
    }
  }
}
