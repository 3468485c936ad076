package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceCheckpointTest {

  /** Kwargs that gen_fixtures.py passed for each network (README of the fixtures). */
  @Test
  void readsConstructorArgumentsOfAllFixtureNetworks() throws Exception {
    PersistentObject edm = ReferenceCheckpoint.read(Fixtures.pkl("ddpmpp-edm-cond")).ema();
    assertEquals("EDMPrecond", edm.className());
    assertEquals(List.of(), edm.initArgs());
    Map<String, Object> kw = edm.initKwargs();
    assertEquals(16L, kw.get("img_resolution"));
    assertEquals(3L, kw.get("img_channels"));
    assertEquals(10L, kw.get("label_dim"));
    assertEquals("SongUNet", kw.get("model_type"));
    assertEquals("positional", kw.get("embedding_type"));
    assertEquals("standard", kw.get("encoder_type"));
    assertEquals(List.of(1L, 1L), kw.get("resample_filter"));
    assertEquals(List.of(1L, 2L), kw.get("channel_mult"));
    assertEquals(List.of(8L), kw.get("attn_resolutions"));
    assertEquals(16L, kw.get("model_channels"));
    assertEquals(9L, kw.get("augment_dim"));
    assertEquals(0.0, kw.get("dropout"));
    assertEquals(Double.POSITIVE_INFINITY, edm.attributes().get("sigma_max"));
    assertEquals(0.5, edm.attributes().get("sigma_data"));
    assertFalse(edm.training(), "ema is saved in eval mode");

    PersistentObject ve = ReferenceCheckpoint.read(Fixtures.pkl("ncsnpp-ve-uncond")).ema();
    assertEquals("VEPrecond", ve.className());
    assertEquals("fourier", ve.initKwargs().get("embedding_type"));
    assertEquals("residual", ve.initKwargs().get("encoder_type"));
    assertEquals(2L, ve.initKwargs().get("channel_mult_noise"));
    assertEquals(List.of(1L, 3L, 3L, 1L), ve.initKwargs().get("resample_filter"));
    assertEquals(0L, ve.initKwargs().get("label_dim"));

    PersistentObject vp = ReferenceCheckpoint.read(Fixtures.pkl("adm-vp-cond")).ema();
    assertEquals("VPPrecond", vp.className());
    assertEquals("DhariwalUNet", vp.initKwargs().get("model_type"));
    assertEquals(64L, vp.initKwargs().get("model_channels"));
    assertEquals("DhariwalUNet", vp.module("model").className());

    PersistentObject gray = ReferenceCheckpoint.read(Fixtures.pkl("ddpmpp-cdm-gray")).ema();
    assertEquals("EDMPrecond", gray.className());
    assertEquals(1L, gray.initKwargs().get("img_channels"));
    assertEquals("training.networks", gray.moduleName());
    assertTrue(gray.moduleSource().contains("class SongUNet"), "module source kept as text");
    assertEquals(Fixtures.pkl("ddpmpp-cdm-gray").toString(), gray.module("model.enc").source());
  }

  @Test
  void readsLossAugmentPipeAndDatasetKwargs() throws Exception {
    ReferenceCheckpoint c = ReferenceCheckpoint.read(Fixtures.pkl("ddpmpp-cdm-gray"));
    PersistentObject loss = c.lossFn().orElseThrow();
    assertEquals("MartingaleLoss", loss.className());
    assertEquals("training.loss", loss.moduleName());
    assertEquals(10.0, loss.initKwargs().get("martingale_lambda"));
    assertEquals(6L, loss.initKwargs().get("num_steps"));
    assertEquals(-1.2, loss.attributes().get("P_mean"));
    assertEquals(1.007, loss.attributes().get("S_noise"));
    assertFalse(loss.isModule());

    PersistentObject aug = c.augmentPipe().orElseThrow();
    assertEquals("AugmentPipe", aug.className());
    assertEquals(0.12, aug.initKwargs().get("p"));
    assertEquals(1.0e8, aug.initKwargs().get("xflip"));
    assertEquals(1L, aug.initKwargs().get("yflip"));
    assertEquals(0.125, aug.attributes().get("translate_frac_std"));

    Map<String, Object> ds = c.datasetKwargs();
    assertEquals("training.dataset.ImageFolderDataset", ds.get("class_name"));
    assertEquals("datasets/tiny.zip", ds.get("path"));
    assertEquals(Boolean.FALSE, ds.get("use_labels"));
    assertEquals(16L, ds.get("resolution"));
    assertEquals(1000L, ds.get("max_size"));

    assertEquals(
        "EDMLoss",
        ReferenceCheckpoint.read(Fixtures.pkl("ddpmpp-edm-cond"))
            .lossFn()
            .orElseThrow()
            .className());
    assertEquals(
        "VELoss",
        ReferenceCheckpoint.read(Fixtures.pkl("ncsnpp-ve-uncond"))
            .lossFn()
            .orElseThrow()
            .className());
    assertEquals(
        "VPLoss",
        ReferenceCheckpoint.read(Fixtures.pkl("adm-vp-cond")).lossFn().orElseThrow().className());
  }

  /**
   * State dict names and shapes follow from the constructor arguments (networks.py), not from the
   * reader.
   */
  @Test
  void stateDictNamesAndShapesFollowTheReferenceLayout() throws Exception {
    Map<String, TensorData> sd =
        ReferenceCheckpoint.read(Fixtures.pkl("ddpmpp-edm-cond")).ema().stateDict();
    // model_channels 16, noise channels 16*1, emb 16*4, label_dim 10, augment_dim 9, 3 image
    // channels.
    assertShape(sd, "model.map_label.weight", 16, 10);
    assertShape(sd, "model.map_augment.weight", 16, 9);
    assertShape(sd, "model.map_layer0.weight", 64, 16);
    assertShape(sd, "model.map_layer1.weight", 64, 64);
    assertShape(sd, "model.enc.16x16_conv.weight", 16, 3, 3, 3);
    assertShape(
        sd, "model.enc.16x16_block0.affine.weight", 16, 64); // adaptive_scale=False for DDPM++
    assertShape(sd, "model.enc.8x8_down.conv0.resample_filter", 1, 1, 2, 2);
    assertShape(sd, "model.enc.8x8_block0.conv0.weight", 32, 16, 3, 3);
    assertShape(sd, "model.enc.8x8_block0.qkv.weight", 96, 32, 1, 1); // attention at 8x8
    assertShape(sd, "model.dec.8x8_in0.proj.weight", 32, 32, 1, 1);
    assertShape(sd, "model.dec.16x16_aux_conv.weight", 3, 16, 3, 3); // SongUNet output layer
    assertFalse(sd.containsKey("model.map_noise.freqs"), "positional embedding has no buffer");
    List<String> keys = List.copyOf(sd.keySet());
    // torch order: own params, then buffers, then submodules in registration order.
    assertTrue(
        keys.indexOf("model.enc.8x8_down.conv0.weight")
            < keys.indexOf("model.enc.8x8_down.conv0.bias"));
    assertTrue(
        keys.indexOf("model.enc.8x8_down.conv0.bias")
            < keys.indexOf("model.enc.8x8_down.conv0.resample_filter"));
    assertTrue(
        keys.indexOf("model.enc.16x16_block0.norm0.weight")
            < keys.indexOf("model.enc.16x16_block0.conv0.weight"));
    assertTrue(
        keys.indexOf("model.enc.8x8_block0.proj.bias")
            < keys.indexOf("model.dec.8x8_in0.norm0.weight"));

    Map<String, TensorData> ve =
        ReferenceCheckpoint.read(Fixtures.pkl("ncsnpp-ve-uncond")).ema().stateDict();
    assertShape(
        ve, "model.map_noise.freqs", 16); // Fourier: num_channels // 2 with noise channels 16*2
    assertShape(ve, "model.map_augment.weight", 32, 9);
    assertShape(ve, "model.enc.8x8_down.conv0.resample_filter", 1, 1, 4, 4);
    assertShape(ve, "model.enc.8x8_aux_residual.weight", 16, 3, 3, 3); // cout of the previous level
    assertFalse(ve.containsKey("model.map_label.weight"), "unconditional");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"})
  void allTensorsAreFiniteFloat32AndPerturbed(String name) throws Exception {
    PersistentObject ema = ReferenceCheckpoint.read(Fixtures.pkl(name)).ema();
    Map<String, TensorData> sd = ema.stateDict();
    assertTrue(sd.size() > 100, name + " has " + sd.size() + " entries");
    long params = 0;
    for (Map.Entry<String, TensorData> e : sd.entrySet()) {
      TensorData t = e.getValue();
      assertEquals(TensorDType.FLOAT32, t.dtype(), e.getKey());
      float[] v = t.toFloatArray();
      assertEquals(t.numel(), v.length);
      double sumSq = 0;
      for (float f : v) {
        assertTrue(Float.isFinite(f), e.getKey() + " has a non-finite value");
        sumSq += f * f;
      }
      assertTrue(sumSq > 0, e.getKey() + " is all zero");
    }
    for (TensorData t : ema.module("model").parameters().values()) {
      params += t.numel();
    }
    assertTrue(ema.parameterCount() > params);
  }

  /**
   * The first storage's bytes, decoded by Python's pickletools + struct from the fixture, not by
   * this reader.
   */
  @Test
  void tensorValuesMatchTheRawStorageBytes() throws Exception {
    TensorData w =
        ReferenceCheckpoint.read(Fixtures.pkl("ddpmpp-cdm-gray"))
            .ema()
            .stateDict()
            .get("model.map_augment.weight");
    assertArrayEquals(new long[] {16, 9}, w.shape());
    float[] v = w.toFloatArray();
    assertEquals(-0.4465862512588501f, v[0]);
    assertEquals(-0.2642504870891571f, v[1]);
    assertEquals(0.0734824612736702f, v[2]);
    assertEquals(0.13282126188278198f, v[143]);

    TensorData a =
        ReferenceCheckpoint.read(Fixtures.pkl("adm-vp-cond"))
            .ema()
            .stateDict()
            .get("model.map_augment.weight");
    assertArrayEquals(new long[] {64, 9}, a.shape());
    assertEquals(-0.018852800130844116f, a.toFloatArray()[0]);
    assertEquals(0.02205505408346653f, a.toFloatArray()[575]);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray nd = a.toNDArray(m);
      assertArrayEquals(new long[] {64, 9}, nd.getShape().getShape());
      assertEquals(0.032336052507162094f, nd.get(0, 1).getFloat());
      assertTrue(TensorData.fromNDArray(nd).contentEquals(a));
    }
  }

  @Test
  void readsFromAStreamWithTheSameResult() throws Exception {
    try (InputStream in = Files.newInputStream(Fixtures.pkl("ncsnpp-ve-uncond"))) {
      ReferenceCheckpoint c = ReferenceCheckpoint.read(in, "stream of ncsnpp-ve-uncond");
      Map<String, TensorData> fromStream = c.ema().stateDict();
      Map<String, TensorData> fromFile =
          ReferenceCheckpoint.read(Fixtures.pkl("ncsnpp-ve-uncond")).ema().stateDict();
      assertEquals(fromFile.keySet(), fromStream.keySet());
      fromFile.forEach((k, t) -> assertTrue(t.contentEquals(fromStream.get(k)), k));
      assertNotNull(c.augmentPipe().orElse(null));
    }
  }

  private static void assertShape(Map<String, TensorData> sd, String key, long... shape) {
    assertTrue(sd.containsKey(key), "missing " + key);
    assertArrayEquals(shape, sd.get(key).shape(), key);
  }
}
