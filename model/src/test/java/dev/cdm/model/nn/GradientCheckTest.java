package dev.cdm.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cdm.model.precond.Precond;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Autograd through the composed kernels (layer-norm group norm, zero-interleaved and repeated
 * upsampling, fused downsampling, multi-head attention) against central finite differences, in
 * float64 so that the comparison is sharp.
 */
@org.junit.jupiter.api.Tag(
    "slow") // float64 convolutions on the CPU: ~15 s on an idle 2-core machine
class GradientCheckTest {
  @Test
  void ncsnppResidualWithBilinearFilter() {
    Map<String, Object> kw = base();
    kw.put("model_type", "SongUNet");
    kw.put("embedding_type", "fourier");
    kw.put("channel_mult_noise", 2);
    kw.put("encoder_type", "residual");
    kw.put("decoder_type", "skip");
    kw.put("resample_filter", List.of(1, 3, 3, 1));
    kw.put("model_channels", 16);
    kw.put("img_resolution", 8);
    kw.put("attn_resolutions", List.of(4));
    check(
        kw,
        List.of(
            "model.enc.4x4_aux_residual.weight",
            "model.dec.8x8_up.conv0.weight",
            "model.dec.4x4_in0.qkv.weight",
            "model.enc.8x8_block0.norm0.weight"));
  }

  @Test
  void admWithTwoHeads() {
    Map<String, Object> kw = base();
    kw.put("model_type", "DhariwalUNet");
    kw.put("model_channels", 128); // 2 heads of 64 channels
    kw.put("channel_mult", List.of(1, 1));
    kw.put("img_resolution", 8);
    kw.put("attn_resolutions", List.of(4));
    check(
        kw,
        List.of(
            "model.dec.4x4_in0.qkv.weight",
            "model.dec.8x8_up.affine.weight",
            "model.enc.4x4_down.conv0.weight"));
  }

  @Test
  void gradientsReachFloat32MastersThroughAnFp16Pass() {
    // use_fp16 training: the trunk runs at fp16 on copies of the fp32 weights; the gradient must
    // come back to the fp32 masters (the reference's .to(x.dtype) is differentiable).
    Map<String, Object> kw = base();
    kw.put("model_type", "SongUNet");
    kw.put("model_channels", 16);
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", kw, m)) {
      for (NDArray p : net.parameters().values()) {
        p.addi(m.randomNormal(p.getShape()).mul(0.1f));
        p.setRequiresGradient(true);
      }
      NDArray x = m.randomNormal(new Shape(2, 2, 16, 16)).toType(DataType.FLOAT16, false);
      try (NDManager sub = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out =
            net.model()
                .forward(
                    Forward.simple(sub, DataType.FLOAT16, false),
                    x,
                    m.create(new float[] {0.1f, -0.4f}),
                    m.create(new float[] {1, 0, 0, 0, 1, 0}, new Shape(2, 3)),
                    null);
        assertEquals(DataType.FLOAT16, out.getDataType());
        gc.backward(Ops.cast(out, DataType.FLOAT32).square().mean());
      }
      for (String k :
          List.of(
              "model.enc.16x16_conv.weight",
              "model.dec.8x8_in0.qkv.weight",
              "model.map_layer0.weight")) {
        NDArray g = net.parameters().get(k).getGradient();
        assertEquals(DataType.FLOAT32, g.getDataType(), k);
        float s = g.abs().sum().getFloat();
        org.junit.jupiter.api.Assertions.assertTrue(
            s > 0 && Float.isFinite(s), k + " gradient " + s);
      }
    }
  }

  private static Map<String, Object> base() {
    Map<String, Object> kw = new LinkedHashMap<>();
    kw.put("img_resolution", 16);
    kw.put("img_channels", 2);
    kw.put("label_dim", 3);
    kw.put("channel_mult", List.of(1, 2));
    kw.put("num_blocks", 1);
    kw.put("attn_resolutions", List.of(8));
    kw.put("dropout", 0.0);
    return kw;
  }

  private static long[] zeroIndex(NDArray p) {
    return new long[p.getShape().dimension()];
  }

  private static void check(Map<String, Object> kw, List<String> names) {
    Engine.getInstance().setRandomSeed(3);
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", kw, m)) {
      for (NDArray p : net.parameters().values()) {
        p.addi(m.randomNormal(p.getShape()).mul(0.1f)); // move zero-initialised layers off zero
      }
      UNet model = net.model();
      int r = ((Number) kw.get("img_resolution")).intValue();
      NDArray x = m.randomNormal(new Shape(2, 2, r, r)).toType(DataType.FLOAT64, false);
      NDArray noise = m.create(new double[] {-0.3, 0.8});
      NDArray labels = m.create(new double[] {1, 0, 0, 0, 0, 1}, new Shape(2, 3));
      NDArray weights = m.randomNormal(new Shape(2, 2, r, r)).toType(DataType.FLOAT64, false);
      Map<String, NDArray> sd = net.stateDict();
      for (String name : names) {
        NDArray p = sd.get(name);
        long[] at = zeroIndex(p);
        NDIndex idx = new NDIndex(at);
        p.setRequiresGradient(true);
        double analytic;
        try (NDManager sub = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray out =
              model.forward(Forward.simple(sub, DataType.FLOAT64, false), x, noise, labels, null);
          gc.backward(out.mul(weights).sum());
          analytic = p.getGradient().toType(DataType.FLOAT64, false).getDouble(at);
        }
        float h = 1e-2f;
        float orig = p.getFloat(at);
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
          try (NDManager sub = m.newSubManager()) {
            NDArray q = p.duplicate();
            q.set(idx, orig + (s == 0 ? h : -h));
            NDArray old = model.replace(name.substring("model.".length()), q);
            f[s] =
                model
                    .forward(Forward.simple(sub, DataType.FLOAT64, false), x, noise, labels, null)
                    .mul(weights)
                    .sum()
                    .getDouble();
            model.replace(name.substring("model.".length()), old);
          }
        }
        double actualH = (double) (orig + h) - (double) (orig - h);
        double numeric = (f[0] - f[1]) / actualH;
        assertEquals(numeric, analytic, 1e-3 * Math.max(1, Math.abs(numeric)), name);
      }
    }
  }
}
