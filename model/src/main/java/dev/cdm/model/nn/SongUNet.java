package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The DDPM++ and NCSN++ architectures of Song et al. (score SDE), as reimplemented by the
 * reference: positional or Fourier noise embedding, encoder standard/skip/residual, decoder
 * standard/skip, resample filter [1,1] or [1,3,3,1], attention at given resolutions.
 */
public final class SongUNet extends UNet {
  private final NoiseEmbedding mapNoise;
  private final Linear mapLabel;
  private final Linear mapAugment;
  private final Linear mapLayer0;
  private final Linear mapLayer1;
  private final Dict enc;
  private final Dict dec;

  /**
   * Builds from the reference's keyword arguments ({@code img_resolution}, {@code in_channels},
   * {@code out_channels}, {@code label_dim}, ..., defaults as the reference), drawing weights from
   * the global generator in the reference's order.
   */
  public SongUNet(NDManager m, Kwargs kw) {
    super(kw);
    int modelChannels = kw.getInt("model_channels", 128);
    List<Integer> channelMult = kw.getInts("channel_mult", List.of(1, 2, 2, 2));
    int channelMultEmb = kw.getInt("channel_mult_emb", 4);
    int numBlocks = kw.getInt("num_blocks", 4);
    List<Integer> attnResolutions = kw.getInts("attn_resolutions", List.of(16));
    double dropout = kw.getDouble("dropout", 0.10);
    String embeddingType = kw.getString("embedding_type", "positional");
    int channelMultNoise = kw.getInt("channel_mult_noise", 1);
    String encoderType = kw.getString("encoder_type", "standard");
    String decoderType = kw.getString("decoder_type", "standard");
    List<Number> resampleFilter = kw.getNumbers("resample_filter", List.of(1, 1));
    kw.checkAllUsed();
    check("embedding_type", embeddingType, "fourier", "positional");
    check("encoder_type", encoderType, "standard", "skip", "residual");
    check("decoder_type", decoderType, "standard", "skip");

    int embChannels = modelChannels * channelMultEmb;
    int noiseChannels = modelChannels * channelMultNoise;
    WeightInit.Spec init = WeightInit.Spec.of(WeightInit.XAVIER_UNIFORM);
    WeightInit.Spec initZero = new WeightInit.Spec(WeightInit.XAVIER_UNIFORM, 1e-5, 0);
    WeightInit.Spec initAttn = new WeightInit.Spec(WeightInit.XAVIER_UNIFORM, Math.sqrt(0.2), 0);
    UNetBlock.Config bk = new UNetBlock.Config();
    bk.embChannels = embChannels;
    bk.numHeads = 1;
    bk.dropout = dropout;
    bk.skipScale = Math.sqrt(0.5);
    bk.eps = 1e-6;
    bk.resampleFilter = resampleFilter;
    bk.resampleProj = true;
    bk.adaptiveScale = false;
    bk.init = init;
    bk.initZero = initZero;
    bk.initAttn = initAttn;

    // Mapping.
    mapNoise =
        addChild(
            "map_noise",
            embeddingType.equals("positional")
                ? new NoiseEmbedding.Positional(noiseChannels, 10000, true)
                : new NoiseEmbedding.Fourier(m, noiseChannels, 16));
    mapLabel =
        addChild(
            "map_label", labelDim != 0 ? new Linear(m, labelDim, noiseChannels, true, init) : null);
    mapAugment =
        addChild(
            "map_augment",
            augmentDim != 0 ? new Linear(m, augmentDim, noiseChannels, false, init) : null);
    mapLayer0 = addChild("map_layer0", new Linear(m, noiseChannels, embChannels, true, init));
    mapLayer1 = addChild("map_layer1", new Linear(m, embChannels, embChannels, true, init));

    // Encoder.
    enc = addChild("enc", new Dict());
    int cout = inChannels;
    int caux = inChannels;
    List<Integer> skips = new ArrayList<>();
    for (int level = 0; level < channelMult.size(); level++) {
      int mult = channelMult.get(level);
      int res = imgResolution >> level;
      String r = res + "x" + res;
      if (level == 0) {
        int cin = cout;
        cout = modelChannels;
        skips.add(enc.put(r + "_conv", Conv2d.plain(m, cin, cout, 3, init)).outChannels);
      } else {
        skips.add(
            enc.put(r + "_down", new UNetBlock(m, cout, cout, false, true, false, bk)).outChannels);
        if (encoderType.equals("skip")) {
          enc.put(
              r + "_aux_down",
              new Conv2d(
                  m,
                  caux,
                  caux,
                  0,
                  true,
                  false,
                  true,
                  resampleFilter,
                  false,
                  WeightInit.Spec.of(WeightInit.KAIMING_NORMAL)));
          enc.put(r + "_aux_skip", Conv2d.plain(m, caux, cout, 1, init));
        }
        if (encoderType.equals("residual")) {
          enc.put(
              r + "_aux_residual",
              new Conv2d(m, caux, cout, 3, true, false, true, resampleFilter, true, init));
          caux = cout;
        }
      }
      for (int idx = 0; idx < numBlocks; idx++) {
        int cin = cout;
        cout = modelChannels * mult;
        boolean attn = attnResolutions.contains(res);
        skips.add(
            enc.put(r + "_block" + idx, new UNetBlock(m, cin, cout, false, false, attn, bk))
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
        boolean attn = idx == numBlocks && attnResolutions.contains(res);
        dec.put(r + "_block" + idx, new UNetBlock(m, cin, cout, false, false, attn, bk));
      }
      if (decoderType.equals("skip") || level == 0) {
        if (decoderType.equals("skip") && level < channelMult.size() - 1) {
          dec.put(
              r + "_aux_up",
              new Conv2d(
                  m,
                  outChannels,
                  outChannels,
                  0,
                  true,
                  true,
                  false,
                  resampleFilter,
                  false,
                  WeightInit.Spec.of(WeightInit.KAIMING_NORMAL)));
        }
        dec.put(r + "_aux_norm", new GroupNorm(m, cout, 1e-6));
        dec.put(r + "_aux_conv", Conv2d.plain(m, cout, outChannels, 3, initZero));
      }
    }
  }

  private static void check(String key, String v, String... allowed) {
    for (String a : allowed) {
      if (a.equals(v)) {
        return;
      }
    }
    throw new IllegalArgumentException(
        "SongUNet: " + key + " = '" + v + "' is not one of " + String.join(", ", allowed));
  }

  @Override
  public String referenceName() {
    return "SongUNet";
  }

  @Override
  public NDArray forward(
      Forward f, NDArray x, NDArray noiseLabels, NDArray classLabels, NDArray augmentLabels) {
    // Mapping.
    NDArray emb = mapNoise.forward(f, noiseLabels);
    long n = emb.getShape().get(0);
    emb = emb.reshape(n, 2, -1).flip(1).reshape(emb.getShape()); // swap sin/cos
    if (mapLabel != null) {
      NDArray tmp = dropLabels(f, classLabels, x.getShape().get(0));
      emb = emb.add(mapLabel.forward(f, HostScalars.mul(tmp, Math.sqrt(mapLabel.inFeatures))));
    }
    if (mapAugment != null && augmentLabels != null) {
      emb = emb.add(mapAugment.forward(f, augmentLabels));
    }
    emb = Ops.silu(mapLayer0.forward(f, emb));
    emb = Ops.silu(mapLayer1.forward(f, emb));

    // Encoder.
    List<NDArray> skips = new ArrayList<>();
    NDArray aux = x;
    for (Map.Entry<String, Module> e : enc.children().entrySet()) {
      String name = e.getKey();
      Module block = e.getValue();
      if (name.contains("aux_down")) {
        aux = ((Conv2d) block).forward(f, aux);
      } else if (name.contains("aux_skip")) {
        x = x.add(((Conv2d) block).forward(f, aux));
        skips.set(skips.size() - 1, x);
      } else if (name.contains("aux_residual")) {
        x = HostScalars.div(x.add(((Conv2d) block).forward(f, aux)), Math.sqrt(2));
        aux = x;
        skips.set(skips.size() - 1, x);
      } else {
        x = encoderLayer(f, block, x, emb);
        skips.add(x);
      }
    }

    // Decoder.
    Deque<NDArray> stack = new ArrayDeque<>(skips);
    aux = null;
    NDArray tmp = null;
    for (Map.Entry<String, Module> e : dec.children().entrySet()) {
      String name = e.getKey();
      Module block = e.getValue();
      if (name.contains("aux_up")) {
        aux = ((Conv2d) block).forward(f, aux);
      } else if (name.contains("aux_norm")) {
        tmp = ((GroupNorm) block).forward(f, x);
      } else if (name.contains("aux_conv")) {
        tmp = ((Conv2d) block).forward(f, Ops.silu(tmp));
        aux = aux == null ? tmp : tmp.add(aux);
      } else {
        x = decoderBlock(f, (UNetBlock) block, x, emb, stack);
      }
    }
    return aux;
  }
}
