package dev.cdm.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.precond.Denoiser;

/**
 * A training loss of the paper ({@code loss_fn(net, images, labels, augment_pipe)} in the
 * reference). Returns the per-element loss [N, C, H, W] like the reference; the training loop sums
 * it and scales by {@code loss_scaling / batch_gpu_total}.
 */
public interface Loss {

  /**
   * @param net the denoiser being trained (called with gradients on)
   * @param images training images in [-1, 1], [N, C, H, W] float32
   * @param labels one-hot class labels [N, labelDim] ({@code labelDim} may be 0) or null
   * @param augment the augment pipe, or null for none
   * @param random where every random draw comes from
   */
  NDArray compute(
      Denoiser net, NDArray images, NDArray labels, Augmentation augment, RandomSource random);

  /**
   * Calls the denoiser with the reference's argument conventions: sigma [N,1,1,1] → [N], and x and
   * sigma as float32 (the reference's preconditioning casts both first thing), zero-width labels
   * meaning none.
   */
  static NDArray call(
      Denoiser net, NDArray x, NDArray sigma, NDArray labels, NDArray augmentLabels) {
    NDArray s = sigma.reshape(sigma.getShape().get(0)).toType(DataType.FLOAT32, false);
    x = x.toType(DataType.FLOAT32, false);
    NDArray l = labels == null || labels.getShape().get(1) == 0 ? null : labels;
    return net.denoise(x, s, l, augmentLabels);
  }

  /**
   * What the VP, VE and EDM losses share once sigma [N,1,1,1] and the weight are drawn: {@code y,
   * augment_labels = augment_pipe(images); n = randn_like(y) * sigma; D_yn = net(y + n, sigma,
   * labels, augment_labels); loss = weight * (D_yn - y) ** 2}, drawing in that order.
   */
  static NDArray weightedError(
      Denoiser net,
      NDArray images,
      NDArray labels,
      Augmentation augment,
      RandomSource random,
      NDArray sigma,
      NDArray weight) {
    Augmentation.Augmented a = augment(augment, images, random);
    NDArray y = a.images();
    NDArray noise = random.randnLike(y).mul(sigma);
    NDArray d = call(net, y.add(noise), sigma, labels, a.labels());
    return weight.mul(d.sub(y).square());
  }

  /** {@code augment_pipe(images) if augment_pipe is not None else (images, None)}. */
  static Augmentation.Augmented augment(Augmentation augment, NDArray images, RandomSource random) {
    return augment == null
        ? new Augmentation.Augmented(images, null)
        : augment.apply(images, random);
  }
}
