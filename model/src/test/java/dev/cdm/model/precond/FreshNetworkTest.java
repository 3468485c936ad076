package dev.cdm.model.precond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class FreshNetworkTest {
  @Test
  void ddpmppCifar10HasTheReferenceParameterCount() {
    try (NDManager m = NDManager.newBaseManager();
        // structure only: skip the 55.7M random draws (seconds on a busy 2-core machine)
        Precond edm =
            dev.cdm.model.nn.WeightInit.withoutDrawing(
                () ->
                    Precond.create(
                        "training.networks.EDMPrecond", PaperNetworks.ddpmppCifar10(), m))) {
      assertEquals(55_733_891L, edm.parameterCount());
      assertTrue(edm.parameters().containsKey("model.enc.32x32_block0.conv0.weight"));
      assertEquals(
          new Shape(256, 128, 3, 3),
          edm.parameters().get("model.enc.32x32_block0.conv0.weight").getShape());
      assertTrue(edm.buffers().containsKey("model.enc.16x16_down.conv0.resample_filter"));
    }
    try (NDManager m = NDManager.newBaseManager();
        Precond vp =
            dev.cdm.model.nn.WeightInit.withoutDrawing(
                () -> Precond.create("VPPrecond", PaperNetworks.ddpmppCifar10(), m))) {
      assertEquals(55_733_891L, vp.parameterCount());
    }
  }

  @Test
  void initialisationIsSeededAndFollowsTheReferenceScales() {
    Map<String, Object> kw = tiny();
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      Precond a = Precond.create("EDMPrecond", kw, m);
      Engine.getInstance().setRandomSeed(5);
      Precond b = Precond.create("EDMPrecond", kw, m);
      for (Map.Entry<String, NDArray> e : a.stateDict().entrySet()) {
        assertEquals(e.getValue(), b.stateDict().get(e.getKey()), e.getKey());
      }
      // xavier_uniform: |w| <= sqrt(6 / (fan_in + fan_out)); init_zero scales by 1e-5.
      NDArray w = a.parameters().get("model.enc.16x16_conv.weight");
      double bound = Math.sqrt(6.0 / (3 * 9 + 16 * 9));
      assertTrue(w.abs().max().getFloat() <= bound + 1e-6);
      assertTrue(w.abs().max().getFloat() > bound * 0.9);
      NDArray z = a.parameters().get("model.enc.16x16_block0.conv1.weight");
      assertTrue(z.abs().max().getFloat() < 1e-5 * Math.sqrt(6.0 / (16 * 9 + 16 * 9)) + 1e-9);
    }
  }

  @Test
  void forwardRunsForAllPreconditionersAndKeepsNoIntermediates() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (String cls : List.of("EDMPrecond", "VPPrecond", "VEPrecond", "iDDPMPrecond")) {
        Map<String, Object> kw = tiny();
        if (cls.equals("iDDPMPrecond") || cls.equals("VPPrecond")) {
          kw.put("model_type", "DhariwalUNet");
          kw.remove("embedding_type");
          kw.remove("encoder_type");
          kw.remove("decoder_type");
          kw.remove("channel_mult_noise");
          kw.remove("resample_filter");
          kw.put("model_channels", 64);
        }
        try (Precond p = Precond.create(cls, kw, m);
            NDManager call = m.newSubManager()) {
          NDArray x = call.randomNormal(new Shape(2, 3, 16, 16));
          NDArray sigma = call.create(new float[] {0.5f, 3f});
          NDArray labels = call.zeros(new Shape(2, 10));
          int before = call.getManagedArrays().size();
          NDArray d = p.denoise(x, sigma, labels, call.zeros(new Shape(2, 9)));
          assertEquals(new Shape(2, 3, 16, 16), d.getShape());
          assertTrue(Float.isFinite(d.sum().getFloat()), cls);
          // only the result (and the zero augment labels, sum) remain on the caller's manager
          assertTrue(call.getManagedArrays().size() <= before + 3, cls + " leaked intermediates");
        }
      }
    }
  }

  @Test
  void repeatedCallsLeaveNothingBehindOnTheNetworksOrTheCallersManager() {
    Map<String, Object> kw = tiny();
    kw.put("resample_filter", List.of(1, 3, 3, 1)); // exercises the zero-interleaving upsampler
    kw.put("encoder_type", "residual");
    checkNoGrowth("EDMPrecond", kw);
    Map<String, Object> adm = tiny();
    for (String k :
        List.of(
            "embedding_type",
            "encoder_type",
            "decoder_type",
            "channel_mult_noise",
            "resample_filter")) {
      adm.remove(k);
    }
    adm.put("model_type", "DhariwalUNet");
    adm.put("model_channels", 64);
    checkNoGrowth("iDDPMPrecond", adm);
  }

  private static void checkNoGrowth(String cls, Map<String, Object> kw) {
    try (NDManager m = NDManager.newBaseManager();
        Precond p = Precond.create(cls, kw, m);
        NDManager call = m.newSubManager()) {
      NDArray x = call.randomNormal(new Shape(2, 3, 16, 16));
      NDArray sigma = call.create(new float[] {0.5f, 3f});
      p.denoise(x, sigma, null).close();
      NDArray r0 = p.roundSigma(sigma); // identity (the same array) except for iDDPM
      if (r0 != sigma) {
        r0.close();
      }
      int net = p.manager().getManagedArrays().size();
      int caller = call.getManagedArrays().size();
      for (int i = 0; i < 3; i++) {
        p.denoise(x, sigma, null).close();
        NDArray r = p.roundSigma(sigma);
        if (r != sigma) {
          r.close();
        }
      }
      assertEquals(net, p.manager().getManagedArrays().size(), cls + ": network manager grew");
      assertEquals(caller, call.getManagedArrays().size(), cls + ": caller manager grew");
    }
  }

  @Test
  void aScalarSigmaBroadcastsAsInTheReference() {
    try (NDManager m = NDManager.newBaseManager();
        Precond p = Precond.create("EDMPrecond", tiny(), m)) {
      NDArray x = m.randomNormal(new Shape(3, 3, 16, 16));
      NDArray labels = m.zeros(new Shape(3, 10));
      NDArray a = p.denoise(x, m.create(2.5f), labels);
      NDArray b = p.denoise(x, m.create(new float[] {2.5f, 2.5f, 2.5f}), labels);
      NDArray c =
          p.denoise(
              x.toType(ai.djl.ndarray.types.DataType.FLOAT64, false),
              m.create(new double[] {2.5, 2.5, 2.5}),
              labels);
      assertEquals(0f, a.sub(b).abs().max().getFloat(), 1e-6f);
      assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, c.getDataType());
      assertEquals(0f, c.sub(b).abs().max().getFloat(), 1e-6f);
    }
  }

  @Test
  void unknownArgumentsAndClassesAreErrorsThatNameThem() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, Object> kw = tiny();
      kw.put("bogus_option", 3);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Precond.create("EDMPrecond", kw, m));
      assertTrue(e.getMessage().contains("bogus_option"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class, () -> Precond.create("os.system", tiny(), m));
      assertTrue(e.getMessage().contains("os.system"), e.getMessage());
    }
  }

  public static Map<String, Object> tiny() {
    Map<String, Object> kw = new LinkedHashMap<>();
    kw.put("img_resolution", 16);
    kw.put("img_channels", 3);
    kw.put("label_dim", 10);
    kw.put("model_type", "SongUNet");
    kw.put("embedding_type", "positional");
    kw.put("encoder_type", "standard");
    kw.put("decoder_type", "standard");
    kw.put("channel_mult_noise", 1);
    kw.put("resample_filter", List.of(1, 1));
    kw.put("model_channels", 16);
    kw.put("channel_mult", List.of(1, 2));
    kw.put("num_blocks", 1);
    kw.put("attn_resolutions", List.of(8));
    kw.put("dropout", 0.0);
    kw.put("augment_dim", 9);
    return kw;
  }

  @Test
  void parametersFollowEveryReplacementAndTheCallerOwnsTheMap() {
    try (NDManager m = NDManager.newBaseManager()) {
      Precond net = Precond.create("EDMPrecond", tiny(), m);
      String key = "model.enc.16x16_conv.weight";
      LinkedHashMap<String, NDArray> before = net.parameters();
      NDArray old = before.get(key);
      before.clear(); // a copy: the network's view is untouched
      assertTrue(net.parameters().get(key) == old);
      NDArray fresh = old.zerosLike();
      assertTrue(net.replace(key, fresh) == old);
      assertTrue(net.parameters().get(key) == fresh, "a replaced parameter is seen at once");
      assertEquals(List.copyOf(net.parameters().values()), net.parameterArrays());
      assertTrue(net.isParameter(key));
      assertTrue(!net.isParameter("model.enc.16x16_down.conv0.resample_filter"), "a buffer");
      assertTrue(!net.isParameter("model.nope.weight"));
      // a state dict loaded into it replaces every tensor (and closes the old ones): the map
      // shows the loaded copies
      net.loadStateDict(new LinkedHashMap<>(net.stateDict()));
      NDArray loaded = net.parameters().get(key);
      assertTrue(loaded != fresh);
      assertEquals(0f, loaded.abs().sum().getFloat());
    }
  }
}
