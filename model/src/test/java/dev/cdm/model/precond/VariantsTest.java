package dev.cdm.model.precond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariantsTest {
  @Test
  void ncsnppWithSkipEncoderAndSkipDecoderBuildsTheReferenceLayersAndRuns() {
    Map<String, Object> kw = FreshNetworkTest.tiny();
    kw.put("embedding_type", "fourier");
    kw.put("channel_mult_noise", 2);
    kw.put("encoder_type", "skip");
    kw.put("decoder_type", "skip");
    kw.put("resample_filter", List.of(1, 3, 3, 1));
    kw.put("label_dim", 0);
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", kw, m)) {
      Map<String, NDArray> sd = net.stateDict();
      assertEquals(new Shape(16), sd.get("model.map_noise.freqs").getShape());
      assertEquals(
          new Shape(1, 1, 4, 4), sd.get("model.enc.8x8_aux_down.resample_filter").getShape());
      assertEquals(new Shape(16, 3, 1, 1), sd.get("model.enc.8x8_aux_skip.weight").getShape());
      assertEquals(
          new Shape(1, 1, 4, 4), sd.get("model.dec.16x16_aux_up.resample_filter").getShape());
      assertTrue(sd.containsKey("model.dec.8x8_aux_conv.weight"));
      assertTrue(!sd.containsKey("model.enc.8x8_aux_down.weight"), "kernel 0 has no weight");
      // [1,3,3,1] / 8, outer product: corner 1/64, centre 9/64
      float[] f = sd.get("model.enc.8x8_aux_down.resample_filter").toFloatArray();
      assertEquals(1f / 64, f[0], 1e-7);
      assertEquals(9f / 64, f[5], 1e-7);
      NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
      NDArray d = net.denoise(x, m.create(new float[] {0.1f, 10f}), null, null);
      assertEquals(new Shape(2, 3, 16, 16), d.getShape());
      assertTrue(Float.isFinite(d.sum().getFloat()));
    }
  }

  @Test
  void iddpmNoiseTableHasThePapersRangeAndRoundSigmaSnapsToIt() {
    Map<String, Object> kw = FreshNetworkTest.tiny();
    kw.put("model_type", "DhariwalUNet");
    for (String k :
        List.of(
            "embedding_type",
            "encoder_type",
            "decoder_type",
            "channel_mult_noise",
            "resample_filter")) {
      kw.remove(k);
    }
    kw.put("model_channels", 64);
    try (NDManager m = NDManager.newBaseManager();
        IDDPMPrecond net = (IDDPMPrecond) Precond.create("iDDPMPrecond", kw, m)) {
      // u[0] and u[M-1] of the reference recursion evaluated in float64; the reference (and we)
      // run it in float32, which loses ~5e-4 relative at the low end ((u^2 + 1) / ratio - 1).
      assertEquals(20291.16961, net.sigmaMax(), 20291.17 * 1e-4);
      assertEquals(0.0064254128, net.sigmaMin(), 0.0064254 * 1e-3);
      float[] u = net.u().toFloatArray();
      assertEquals(1001, u.length);
      assertEquals(0f, u[1000]);
      for (int j = 1; j <= 1000; j++) {
        assertTrue(u[j - 1] > u[j], "u decreasing at " + j);
      }
      NDArray s = m.create(new float[] {0.01f, 0.5f, 3f, 50f});
      float[] r = net.roundSigma(s).toFloatArray();
      float[] in = s.toFloatArray();
      for (int i = 0; i < r.length; i++) {
        float best = Float.MAX_VALUE;
        float nearest = 0;
        for (float v : u) {
          if (Math.abs(v - in[i]) < best) {
            best = Math.abs(v - in[i]);
            nearest = v;
          }
        }
        assertEquals(nearest, r[i], 0f);
      }
      // the model predicts 2C channels; D uses the first C
      assertEquals(6, net.model().outChannels);
      NDArray d =
          net.denoise(
              m.randomNormal(new Shape(2, 3, 16, 16)), m.create(new float[] {0.5f, 5f}), null);
      assertEquals(new Shape(2, 3, 16, 16), d.getShape());
    }
  }

  @Test
  void vpScheduleAndInverseAgree() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, Object> kw = FreshNetworkTest.tiny();
      try (VPPrecond vp = (VPPrecond) Precond.create("VPPrecond", kw, m)) {
        NDArray t = m.create(new float[] {1e-3f, 0.1f, 0.5f, 1f});
        NDArray back = vp.sigmaInv(vp.sigma(t));
        assertTrue(back.sub(t).abs().max().getFloat() < 1e-5f);
        assertEquals(vp.sigma(1.0), vp.sigmaMax(), 1e-4 * vp.sigmaMax());
        assertEquals(0.5, vp.sigmaInv(vp.sigma(0.5)), 1e-12);
      }
    }
  }
}
