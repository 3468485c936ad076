package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;

/** The network {@code F} inside a preconditioner: SongUNet (DDPM++/NCSN++) or DhariwalUNet (ADM). */
public abstract class UNet extends Module {
  public final int imgResolution;
  public final int inChannels;
  public final int outChannels;
  public final int labelDim;
  public final int augmentDim;
  public final double labelDropout;

  protected UNet(
      int imgResolution, int inChannels, int outChannels, int labelDim, int augmentDim, double labelDropout) {
    this.imgResolution = imgResolution;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.labelDim = labelDim;
    this.augmentDim = augmentDim;
    this.labelDropout = labelDropout;
  }

  /** The reference class name ({@code SongUNet}, {@code DhariwalUNet}). */
  public abstract String referenceName();

  /**
   * {@code F(x, noise_labels, class_labels, augment_labels)}: x [N, in, H, W] in the pass's dtype,
   * noise labels [N] float32, labels nullable. Returns [N, out, H, W] in x's dtype.
   */
  public abstract NDArray forward(
      Forward f, NDArray x, NDArray noiseLabels, NDArray classLabels, NDArray augmentLabels);

  /** Classifier-free-guidance label dropout: zero each sample's labels with probability p. */
  protected NDArray dropLabels(Forward f, NDArray labels, long n) {
    if (!(f.training() && labelDropout > 0)) {
      return labels;
    }
    return labels.mul(DropoutStream.labelKeep(f, n, labelDropout, labels.getDataType(), labels));
  }
}
