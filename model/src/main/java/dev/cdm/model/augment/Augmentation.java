package dev.cdm.model.augment;

import ai.djl.ndarray.NDArray;
import dev.cdm.model.loss.RandomSource;

/**
 * An image augmentation as the losses see it: images [N, C, H, W] in, augmented images and their
 * augment labels [N, D] out ({@code augment_pipe(images)} in the reference).
 */
@FunctionalInterface
public interface Augmentation {

  Augmented apply(NDArray images, RandomSource random);

  /** The augmented images and the labels that tell the network which augmentation was applied. */
  record Augmented(NDArray images, NDArray labels) {}
}
