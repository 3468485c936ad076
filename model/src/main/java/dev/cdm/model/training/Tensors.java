package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Small in-place helpers the training state needs and DJL spells awkwardly. */
public final class Tensors {
  private Tensors() {}

  /** dst.copy_(src): overwrites {@code dst}'s storage (same shape; src may be on another device). */
  public static void assign(NDArray dst, NDArray src) {
    NDArray s = src.getDevice().equals(dst.getDevice()) ? src : src.toDevice(dst.getDevice(), false);
    if (s.getDataType() != dst.getDataType()) {
      s = s.toType(dst.getDataType(), false);
    }
    dst.set(new NDIndex("..."), s);
  }

  /** torch.nan_to_num_(g, nan=0, posinf=1e5, neginf=-1e5): the reference's gradient guard, in place. */
  public static void nanToNum(NDArray g) {
    try (NDArray nan = g.isNaN()) {
      g.set(nan, 0);
    }
    try (NDArray pos = g.eq(Float.POSITIVE_INFINITY)) {
      g.set(pos, 1e5);
    }
    try (NDArray neg = g.eq(Float.NEGATIVE_INFINITY)) {
      g.set(neg, -1e5);
    }
  }
}
