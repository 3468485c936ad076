package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.torch.TorchArrays;

/**
 * Small helpers the samplers share: calling the denoiser the way the reference does, and making
 * per-sample sigma arrays on the device without a host-to-device copy (array-by-number arithmetic
 * is {@link dev.cdm.model.nn.HostScalars}, for the same reason).
 */
final class Steps {
  private Steps() {}

  /** A float64 [n] array of {@code value} made on {@code manager}'s device (a fill, no copy). */
  static NDArray full(NDManager manager, int n, double value) {
    return full(manager, new Shape(n), value);
  }

  /**
   * A float64 array of {@code value} and {@code shape} on {@code manager}'s device (a fill, no
   * copy).
   */
  static NDArray full(NDManager manager, Shape shape, double value) {
    return TorchArrays.full(manager, shape, value, DataType.FLOAT64);
  }

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
    NDArray sigmaArr = full(step, (int) x.getShape().get(0), sigma);
    NDArray d = net.denoise(x, sigmaArr, classLabels, augmentLabels);
    d.attach(step);
    NDArray d64 = d.toType(DataType.FLOAT64, false);
    d64.attach(step);
    return d64;
  }
}
