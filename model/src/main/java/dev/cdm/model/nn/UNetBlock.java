package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.Autograd;
import dev.cdm.model.torch.FusedKernels;
import java.util.List;

/**
 * The reference's unified U-Net block (DDPM++, NCSN++ and ADM): GroupNorm-SiLU-conv, the noise
 * embedding as a bias or as an adaptive scale/shift, dropout, a second conv, a (resampling) skip
 * connection, and optional multi-head self-attention.
 */
public final class UNetBlock extends Module {
  /** Constructor arguments of the block that are shared by all blocks of a U-Net. */
  public static final class Config {
    int embChannels;
    Integer numHeads;
    int channelsPerHead = 64;
    double dropout;
    double skipScale = 1;
    double eps = 1e-5;
    List<? extends Number> resampleFilter = List.of(1, 1);
    boolean resampleProj;
    boolean adaptiveScale = true;
    WeightInit.Spec init = WeightInit.Spec.of(WeightInit.KAIMING_NORMAL);
    WeightInit.Spec initZero = new WeightInit.Spec(WeightInit.KAIMING_NORMAL, 0, 0);
    WeightInit.Spec initAttn;
  }

  public final int inChannels;
  public final int outChannels;
  public final int numHeads;
  private final double dropout;
  private final double skipScale;
  private final boolean adaptiveScale;

  private final GroupNorm norm0;
  private final Conv2d conv0;
  private final Linear affine;
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Conv2d skip;
  private final GroupNorm norm2;
  private final Conv2d qkv;
  private final Conv2d proj;

  public UNetBlock(
      NDManager m,
      int inChannels,
      int outChannels,
      boolean up,
      boolean down,
      boolean attention,
      Config c) {
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.numHeads =
        !attention ? 0 : c.numHeads != null ? c.numHeads : outChannels / c.channelsPerHead;
    this.dropout = c.dropout;
    this.skipScale = c.skipScale;
    this.adaptiveScale = c.adaptiveScale;

    norm0 = addChild("norm0", new GroupNorm(m, inChannels, c.eps));
    conv0 =
        addChild(
            "conv0",
            new Conv2d(
                m, inChannels, outChannels, 3, true, up, down, c.resampleFilter, false, c.init));
    affine =
        addChild(
            "affine",
            new Linear(m, c.embChannels, outChannels * (c.adaptiveScale ? 2 : 1), true, c.init));
    norm1 = addChild("norm1", new GroupNorm(m, outChannels, c.eps));
    conv1 = addChild("conv1", Conv2d.plain(m, outChannels, outChannels, 3, c.initZero));
    Conv2d s = null;
    if (outChannels != inChannels || up || down) {
      int kernel = c.resampleProj || outChannels != inChannels ? 1 : 0;
      s =
          new Conv2d(
              m, inChannels, outChannels, kernel, true, up, down, c.resampleFilter, false, c.init);
    }
    skip = addChild("skip", s);
    if (numHeads != 0) {
      norm2 = addChild("norm2", new GroupNorm(m, outChannels, c.eps));
      qkv =
          addChild(
              "qkv",
              Conv2d.plain(
                  m, outChannels, outChannels * 3, 1, c.initAttn != null ? c.initAttn : c.init));
      proj = addChild("proj", Conv2d.plain(m, outChannels, outChannels, 1, c.initZero));
    } else {
      norm2 = null;
      qkv = null;
      proj = null;
    }
  }

  /**
   * The block on {@code x} [N, in, H, W] with embedding {@code emb} [N or 1, emb_channels]. Its
   * intermediates live on a manager of their own that is closed when the block returns, so that a
   * forward pass holds the activations of one block at a time (plus the skips), as PyTorch does by
   * reference counting; autograd keeps what backward needs regardless. The sums after conv0, conv1
   * and the attention's projection are taken in place in those convolutions' outputs (which their
   * backward does not read), as the reference's {@code add_} does, so that no extra activation of
   * the block's size waits for the block to return.
   */
  public NDArray forward(Forward f, NDArray x, NDArray emb) {
    try (NDManager blk = f.manager().newSubManager()) {
      x.tempAttach(blk);
      if (emb.getManager() != blk) {
        emb.tempAttach(blk);
      }
      NDArray out = forwardInner(f.withManager(blk), x, emb);
      out.attach(f.manager());
      return out;
    }
  }

  private NDArray forwardInner(Forward f, NDArray x, NDArray emb) {
    NDArray orig = x;
    x = conv0.forward(f, norm0.forwardSilu(f, x));

    NDArray params = affine.forward(f, emb);
    params = params.reshape(params.getShape().get(0), -1, 1, 1);
    params = Ops.cast(params, x.getDataType());
    if (adaptiveScale) {
      NDList ss = params.split(2, 1);
      NDArray scale = ss.get(0);
      NDArray shift = ss.get(1);
      x = Ops.silu(shift.add(norm1.forward(f, x).mul(HostScalars.add(scale, 1))));
    } else {
      x = norm1.forwardSilu(f, x.addi(params)); // conv0's output, in place as the reference
    }

    if (f.training() && dropout > 0) {
      x = freed(x, DropoutStream.dropout(f, x, dropout));
    }
    x = conv1.forward(f, x);
    if (skip != null) {
      try (NDArray s = skip.forward(f, orig)) {
        x.addi(s); // conv1's output, in place
      }
    } else {
      x.addi(orig);
    }
    if (skipScale != 1) {
      x = freed(x, HostScalars.mul(x, skipScale));
    }

    if (numHeads != 0) {
      Shape s = x.getShape();
      long n = s.get(0);
      long ch = s.get(1);
      long hw = s.get(2) * s.get(3);
      long c = ch / numHeads;
      NDArray a;
      try (NDArray h = norm2.forward(f, x);
          NDArray qkvOut = qkv.forward(f, h);
          NDArray r = qkvOut.reshape(n * numHeads, c, 3, hw);
          NDList qkvs = r.split(3, 2);
          NDArray q = qkvs.get(0).squeeze(2);
          NDArray k = qkvs.get(1).squeeze(2);
          NDArray v = qkvs.get(2).squeeze(2)) {
        a = attention(q, k, v);
      }
      NDArray projected;
      try (NDArray ar = a.reshape(s)) {
        projected = proj.forward(f, ar);
      }
      a.close();
      x = projected.addi(x);
      if (skipScale != 1) {
        x = freed(x, HostScalars.mul(x, skipScale));
      }
    }
    return x;
  }

  /**
   * {@code next}, after closing {@code used} (unless it is {@code next}): an intermediate is freed
   * when the block no longer needs it, as the reference's tensors are when their last reference
   * goes, not when the block returns (autograd keeps what backward needs regardless).
   */
  private static NDArray freed(NDArray used, NDArray next) {
    if (used != next) {
      used.close();
    }
    return next;
  }

  /**
   * {@code -Dcdm.fusedAttention=false}: training at reduced precision uses the composed attention
   * too.
   */
  private static final boolean FUSED_ATTENTION =
      !"false".equalsIgnoreCase(System.getProperty("cdm.fusedAttention", "true"));

  /** Set when the fused attention failed once: every later call uses the composed one. */
  private static volatile boolean fusedAttentionFailed;

  /**
   * {@code v softmax(q^T k / sqrt(c))^T}, [N, c, L]. While gradients are recorded at reduced
   * precision, the fused kernel ({@link FusedKernels#attention}): the composed form would keep the
   * attention weights in float32 and float32 copies of q and k for backward, where the reference's
   * AttentionOp keeps them in the activation dtype (with the fp16 weights the product with v keeps,
   * about 96 MiB more per 16x16 layer of DDPM++ CIFAR-10 at batch 128, which has nine). Otherwise,
   * and at float32, the reference's arithmetic exactly.
   */
  static NDArray attention(NDArray q, NDArray k, NDArray v) {
    if (FUSED_ATTENTION
        && !fusedAttentionFailed
        && q.getDataType() != DataType.FLOAT32
        && Autograd.isGradMode()
        && FusedKernels.enabled()) {
      try {
        return FusedKernels.attention(q, k, v);
      } catch (RuntimeException e) { // a libtorch without a kernel for these inputs
        fusedAttentionFailed = true;
        System.err.println(
            "cdm: fused attention unavailable (" + e.getMessage() + "); using the composed one");
      }
    }
    NDArray w = attentionWeights(q, k);
    return v.matMul(w.transpose(0, 2, 1));
  }

  /**
   * The reference's {@code AttentionOp}: {@code softmax(q^T k / sqrt(c))} over keys, computed in
   * float32 whatever the activation dtype, returned in the activation dtype. Its hand-written
   * backward is the gradient of exactly this expression, so autograd gives the same gradients.
   *
   * <p>Without gradients k is scaled before the product, in the reference's order. While gradients
   * are recorded the product is scaled instead: the reference's custom backward keeps only q, k and
   * the weights, whereas autograd through {@code q^T (k / sqrt(c))} would also keep the scaled copy
   * of k (about 0.3 GB per training step of DDPM++ CIFAR-10 at batch 128); the two orders differ by
   * float rounding only.
   */
  static NDArray attentionWeights(NDArray q, NDArray k) {
    DataType dt = q.getDataType();
    double scale = Math.sqrt(k.getShape().get(1));
    NDArray w;
    if (Autograd.isGradMode()) {
      NDArray q32 = Ops.cast(q, DataType.FLOAT32);
      NDArray k32 = Ops.cast(k, DataType.FLOAT32);
      w = HostScalars.div(q32.transpose(0, 2, 1).matMul(k32), scale).softmax(2);
    } else {
      NDArray q32 = Ops.cast(q, DataType.FLOAT32);
      NDArray k32 = Ops.cast(HostScalars.div(k, scale), DataType.FLOAT32);
      w = q32.transpose(0, 2, 1).matMul(k32).softmax(2);
    }
    return Ops.cast(w, dt);
  }
}
