package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Deque;

/**
 * The network {@code F} inside a preconditioner: SongUNet (DDPM++/NCSN++) or DhariwalUNet (ADM).
 * Holds what the two share: the interface arguments, label dropout, and the encoder/decoder
 * plumbing that the reference writes alike in both (each architecture's own layers stay in its
 * class, in the reference's order, which is also the order of the weight draws).
 */
public abstract class UNet extends Module {
  public final int imgResolution;
  public final int inChannels;
  public final int outChannels;
  public final int labelDim;
  public final int augmentDim;
  public final double labelDropout;

  /** An ordered container of named layers ({@code torch.nn.ModuleDict}). */
  static final class Dict extends Module {
    <M extends Module> M put(String name, M m) {
      return addChild(name, m);
    }
  }

  /**
   * Reads the interface arguments both architectures take ({@code img_resolution}, {@code
   * in_channels}, {@code out_channels}, {@code label_dim}, {@code augment_dim}, {@code
   * label_dropout}), defaults as the reference.
   */
  protected UNet(Kwargs kw) {
    this.imgResolution = kw.getInt("img_resolution", null);
    this.inChannels = kw.getInt("in_channels", null);
    this.outChannels = kw.getInt("out_channels", null);
    this.labelDim = kw.getInt("label_dim", 0);
    this.augmentDim = kw.getInt("augment_dim", 0);
    this.labelDropout = kw.getDouble("label_dropout", 0.0);
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

  /**
   * The first decoder layers of the level at resolution {@code r}: at the lowest resolution two
   * blocks ({@code in0} with attention, {@code in1}), elsewhere the upsampling block {@code up}.
   */
  static void putDecoderLevelInput(
      Dict dec, NDManager m, String r, int channels, boolean lowest, UNetBlock.Config bk) {
    if (lowest) {
      dec.put(r + "_in0", new UNetBlock(m, channels, channels, false, false, true, bk));
      dec.put(r + "_in1", new UNetBlock(m, channels, channels, false, false, false, bk));
    } else {
      dec.put(r + "_up", new UNetBlock(m, channels, channels, true, false, false, bk));
    }
  }

  /** An encoder layer on {@code x}: a U-Net block (with the embedding) or the input convolution. */
  static NDArray encoderLayer(Forward f, Module layer, NDArray x, NDArray emb) {
    return layer instanceof UNetBlock
        ? ((UNetBlock) layer).forward(f, x, emb)
        : ((Conv2d) layer).forward(f, x);
  }

  /**
   * A decoder block on {@code x}; when the block takes more channels than {@code x} has, the
   * encoder's latest remaining output is popped from {@code skips} and concatenated first.
   */
  static NDArray decoderBlock(
      Forward f, UNetBlock b, NDArray x, NDArray emb, Deque<NDArray> skips) {
    if (x.getShape().get(1) != b.inChannels) {
      x = NDArrays.concat(new NDList(x, skips.pollLast()), 1);
    }
    return b.forward(f, x, emb);
  }
}
