package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The reference's fully-connected layer: {@code x @ weight.t() + bias}, weight [out, in]. */
public final class Linear extends Module {
  public final int inFeatures;
  public final int outFeatures;

  public Linear(NDManager m, int inFeatures, int outFeatures, boolean bias, WeightInit.Spec init) {
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    addParameter(
        "weight",
        init.mode.draw(
            m, new Shape(outFeatures, inFeatures), inFeatures, outFeatures, init.weight));
    if (bias) {
      addParameter(
          "bias", init.mode.draw(m, new Shape(outFeatures), inFeatures, outFeatures, init.bias));
    }
  }

  public NDArray forward(Forward f, NDArray x) {
    return Ops.linear(x, f.castLike(p("weight"), x), f.castLike(p("bias"), x));
  }
}
