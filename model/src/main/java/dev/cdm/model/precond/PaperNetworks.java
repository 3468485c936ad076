package dev.cdm.model.precond;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Constructor arguments of the networks the papers' benchmarks use, as the reference pickles them.
 */
public final class PaperNetworks {
  private PaperNetworks() {}

  /**
   * The architecture presets of the reference's {@code train.py} ({@code --arch}): {@code ddpmpp}
   * (DDPM++), {@code ncsnpp} (NCSN++) and {@code adm} (ADM), in train.py's key order. A fresh
   * mutable map.
   */
  public static Map<String, Object> architecture(String arch) {
    Map<String, Object> kw = new LinkedHashMap<>();
    switch (arch) {
      case "ddpmpp":
        kw.put("model_type", "SongUNet");
        kw.put("embedding_type", "positional");
        kw.put("encoder_type", "standard");
        kw.put("decoder_type", "standard");
        kw.put("channel_mult_noise", 1);
        kw.put("resample_filter", List.of(1, 1));
        kw.put("model_channels", 128);
        kw.put("channel_mult", List.of(2, 2, 2));
        break;
      case "ncsnpp":
        kw.put("model_type", "SongUNet");
        kw.put("embedding_type", "fourier");
        kw.put("encoder_type", "residual");
        kw.put("decoder_type", "standard");
        kw.put("channel_mult_noise", 2);
        kw.put("resample_filter", List.of(1, 3, 3, 1));
        kw.put("model_channels", 128);
        kw.put("channel_mult", List.of(2, 2, 2));
        break;
      case "adm":
        kw.put("model_type", "DhariwalUNet");
        kw.put("model_channels", 192);
        kw.put("channel_mult", List.of(1, 2, 3, 4));
        break;
      default:
        throw new IllegalArgumentException(
            "--arch must be ddpmpp, ncsnpp or adm, got '" + arch + "'");
    }
    return kw;
  }

  /**
   * EDMPrecond/VPPrecond kwargs of the DDPM++ CIFAR-10 configuration of the reference's train.py
   * (unconditional, augment_dim 9, dropout 0.13): 55,733,891 parameters. A fresh mutable map.
   */
  public static Map<String, Object> ddpmppCifar10() {
    Map<String, Object> kw = new LinkedHashMap<>();
    kw.put("img_resolution", 32);
    kw.put("img_channels", 3);
    kw.put("label_dim", 0);
    kw.put("use_fp16", false);
    kw.putAll(architecture("ddpmpp"));
    kw.put("augment_dim", 9);
    kw.put("dropout", 0.13);
    return kw;
  }
}
