package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.precond.Denoiser;

/** Small helpers the samplers share: calling the denoiser the way the reference does. */
final class Steps {
  private Steps() {}

  /**
   * {@code net(x, sigma, class_labels).to(torch.float64)}, with the scalar {@code sigma} given as a
   * float64 [N] array (the precond casts it to float32, as it casts the reference's 0-d tensor).
   * The result is attached to {@code step}.
   */
  static NDArray denoise(
      Denoiser net, NDArray x, double sigma, NDArray classLabels, NDManager step) {
    return denoise(net, x, sigma, classLabels, null, step);
  }

  /** As above, with augmentation labels (null = none). */
  static NDArray denoise(
      Denoiser net,
      NDArray x,
      double sigma,
      NDArray classLabels,
      NDArray augmentLabels,
      NDManager step) {
    int n = (int) x.getShape().get(0);
    double[] s = new double[n];
    java.util.Arrays.fill(s, sigma);
    NDArray sigmaArr = step.create(s);
    NDArray d = net.denoise(x, sigmaArr, classLabels, augmentLabels);
    d.attach(step);
    NDArray d64 = d.toType(DataType.FLOAT64, false);
    d64.attach(step);
    return d64;
  }
}
