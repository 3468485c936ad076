package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The ADM architecture of Dhariwal and Nichol ("Diffusion Models Beat GANs"), as reimplemented by
 * the reference: positional noise embedding, adaptive scale/shift blocks, multi-head attention (64
 * channels per head).
 */
public final class DhariwalUNet extends UNet {
  private final NoiseEmbedding mapNoise;
  private final Linear mapAugment;
  private final Linear mapLayer0;
  private final Linear mapLayer1;
  private final Linear mapLabel;
  private final Dict enc;
  private final Dict dec;
  private final GroupNorm outNorm;
  private final Conv2d outConv;

  public DhariwalUNet(NDManager m, Kwargs kw) {
    super(kw);
    int modelChannels = kw.getInt("model_channels", 192);
    List<Integer> channelMult = kw.getInts("channel_mult", List.of(1, 2, 3, 4));
    int channelMultEmb = kw.getInt("channel_mult_emb", 4);
    int numBlocks = kw.getInt("num_blocks", 3);
    List<Integer> attnResolutions = kw.getInts("attn_resolutions", List.of(32, 16, 8));
    double dropout = kw.getDouble("dropout", 0.10);
    kw.checkAllUsed();

    int embChannels = modelChannels * channelMultEmb;
    WeightInit.Spec init =
        new WeightInit.Spec(WeightInit.KAIMING_UNIFORM, Math.sqrt(1.0 / 3), Math.sqrt(1.0 / 3));
    WeightInit.Spec initZero = new WeightInit.Spec(WeightInit.KAIMING_UNIFORM, 0, 0);
    UNetBlock.Config bk = new UNetBlock.Config();
    bk.embChannels = embChannels;
    bk.channelsPerHead = 64;
    bk.dropout = dropout;
    bk.init = init;
    bk.initZero = initZero;

    // Mapping.
    mapNoise = addChild("map_noise", new NoiseEmbedding.Positional(modelChannels, 10000, false));
    mapAugment =
        addChild(
            "map_augment",
            augmentDim != 0 ? new Linear(m, augmentDim, modelChannels, false, initZero) : null);
    mapLayer0 = addChild("map_layer0", new Linear(m, modelChannels, embChannels, true, init));
    mapLayer1 = addChild("map_layer1", new Linear(m, embChannels, embChannels, true, init));
    mapLabel =
        addChild(
            "map_label",
            labelDim != 0
                ? new Linear(
                    m,
                    labelDim,
                    embChannels,
                    false,
                    new WeightInit.Spec(WeightInit.KAIMING_NORMAL, Math.sqrt(labelDim), 0))
                : null);

    // Encoder.
    enc = addChild("enc", new Dict());
    int cout = inChannels;
    List<Integer> skips = new ArrayList<>();
    for (int level = 0; level < channelMult.size(); level++) {
      int mult = channelMult.get(level);
      int res = imgResolution >> level;
      String r = res + "x" + res;
      if (level == 0) {
        int cin = cout;
        cout = modelChannels * mult;
        skips.add(enc.put(r + "_conv", Conv2d.plain(m, cin, cout, 3, init)).outChannels);
      } else {
        skips.add(
            enc.put(r + "_down", new UNetBlock(m, cout, cout, false, true, false, bk)).outChannels);
      }
      for (int idx = 0; idx < numBlocks; idx++) {
        int cin = cout;
        cout = modelChannels * mult;
        skips.add(
            enc.put(
                    r + "_block" + idx,
                    new UNetBlock(m, cin, cout, false, false, attnResolutions.contains(res), bk))
                .outChannels);
      }
    }

    // Decoder.
    dec = addChild("dec", new Dict());
    for (int level = channelMult.size() - 1; level >= 0; level--) {
      int mult = channelMult.get(level);
      int res = imgResolution >> level;
      String r = res + "x" + res;
      putDecoderLevelInput(dec, m, r, cout, level == channelMult.size() - 1, bk);
      for (int idx = 0; idx < numBlocks + 1; idx++) {
        int cin = cout + skips.remove(skips.size() - 1);
        cout = modelChannels * mult;
        dec.put(
            r + "_block" + idx,
            new UNetBlock(m, cin, cout, false, false, attnResolutions.contains(res), bk));
      }
    }
    outNorm = addChild("out_norm", new GroupNorm(m, cout, 1e-5));
    outConv = addChild("out_conv", Conv2d.plain(m, cout, outChannels, 3, initZero));
  }

  @Override
  public String referenceName() {
    return "DhariwalUNet";
  }

  @Override
  public NDArray forward(
      Forward f, NDArray x, NDArray noiseLabels, NDArray classLabels, NDArray augmentLabels) {
    // Mapping.
    NDArray emb = mapNoise.forward(f, noiseLabels);
    if (mapAugment != null && augmentLabels != null) {
      emb = emb.add(mapAugment.forward(f, augmentLabels));
    }
    emb = Ops.silu(mapLayer0.forward(f, emb));
    emb = mapLayer1.forward(f, emb);
    if (mapLabel != null) {
      NDArray tmp = dropLabels(f, classLabels, x.getShape().get(0));
      emb = emb.add(mapLabel.forward(f, tmp));
    }
    emb = Ops.silu(emb);

    // Encoder.
    Deque<NDArray> skips = new ArrayDeque<>();
    for (Module block : enc.children().values()) {
      x = encoderLayer(f, block, x, emb);
      skips.addLast(x);
    }

    // Decoder.
    for (Module block : dec.children().values()) {
      x = decoderBlock(f, (UNetBlock) block, x, emb, skips);
    }
    return outConv.forward(f, outNorm.forwardSilu(f, x));
  }
}
