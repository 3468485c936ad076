package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkSnapshotTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"})
  void referenceCheckpointRoundTripsExactly(String name) throws Exception {
    ReferenceCheckpoint ref = ReferenceCheckpoint.read(Fixtures.pkl(name));
    NetworkSnapshot snap = NetworkSnapshot.fromReference(ref);
    Path f = tmp.resolve(name + ".safetensors");
    snap.write(f);
    NetworkSnapshot back = NetworkSnapshot.read(f);

    assertEquals(ref.ema().className(), back.className());
    assertEquals(ref.ema().initKwargs(), back.initKwargs(), "kwargs with their int/float types");
    assertEquals(snap.config(), back.config());
    assertEquals(ref.lossFn().orElseThrow().initKwargs(), back.lossFn().orElseThrow().initKwargs());
    assertEquals(
        ref.augmentPipe().orElseThrow().initKwargs(),
        back.augmentPipe().orElseThrow().initKwargs());
    assertEquals(ref.datasetKwargs(), back.datasetKwargs());

    Map<String, TensorData> a = ref.ema().stateDict();
    Map<String, TensorData> b = back.stateDict();
    assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()), "names and order");
    a.forEach((k, t) -> assertTrue(t.contentEquals(b.get(k)), k));

    // Writing what was read gives the same bytes: the format is deterministic.
    Path again = tmp.resolve(name + ".again.safetensors");
    back.write(again);
    assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(again));
  }

  @Test
  void loadRecognisesBothFormats() throws Exception {
    Path pkl = Fixtures.pkl("ddpmpp-cdm-gray");
    NetworkSnapshot fromPkl = NetworkSnapshot.load(pkl.toString());
    Path st = tmp.resolve("gray.bin"); // the name does not decide the format
    fromPkl.write(st);
    NetworkSnapshot fromSt = NetworkSnapshot.load(st);
    assertEquals(fromPkl.config(), fromSt.config());
    assertEquals("EDMPrecond", fromSt.className());
    assertEquals(fromPkl.stateDict().keySet(), fromSt.stateDict().keySet());
  }

  @Test
  void configKeepsTypesAndSpecialValues() throws Exception {
    Map<String, Object> kw = new java.util.LinkedHashMap<>();
    kw.put("img_resolution", 32L);
    kw.put("sigma_max", Double.POSITIVE_INFINITY);
    kw.put("sigma_min", 0.002);
    kw.put("xflip", 1.0e8);
    kw.put("one_float", 1.0);
    kw.put("none", null);
    kw.put("flag", true);
    kw.put("channel_mult", List.of(1L, 2L, 2L));
    kw.put("nested", Map.of("a", "b \"quoted\" <html>"));
    NetworkSnapshot s =
        NetworkSnapshot.of(
            ObjectConfig.of("EDMPrecond", List.of(), kw),
            Map.of("w", TensorData.ofFloats(new long[] {1}, new float[] {Float.NaN})),
            null,
            null,
            null,
            Map.of("kimg", 200L));
    Path f = tmp.resolve("types.safetensors");
    s.write(f);
    NetworkSnapshot back = NetworkSnapshot.read(f);
    kw.forEach(
        (k, v) ->
            assertEquals(v, back.initKwargs().get(k), k + " " + (v == null ? "" : v.getClass())));
    assertEquals(kw, back.initKwargs());
    assertTrue(back.initKwargs().get("one_float") instanceof Double);
    assertTrue(back.initKwargs().get("img_resolution") instanceof Long);
    assertEquals(Map.of("kimg", 200L), back.extra());
    assertTrue(back.lossFn().isEmpty());
    assertTrue(back.datasetKwargs().isEmpty());
    assertTrue(Float.isNaN(back.stateDict().get("w").toFloatArray()[0]));
  }

  @Test
  void plainSafetensorsWithoutConfigIsRefused() throws Exception {
    Path f = tmp.resolve("plain.safetensors");
    SafetensorsFile.write(
        f,
        Map.of("w", TensorData.ofFloats(new long[] {1}, new float[] {1})),
        Map.of("format", "pt"));
    IOException e = assertThrows(IOException.class, () -> NetworkSnapshot.read(f));
    assertTrue(
        e.getMessage().contains(f + " is a safetensors file without the cdm.config"),
        e.getMessage());

    SafetensorsFile.write(
        f, Map.of(), Map.of(NetworkSnapshot.CONFIG_KEY, "{\"format\": \"other\"}"));
    assertTrue(
        assertThrows(IOException.class, () -> NetworkSnapshot.read(f))
            .getMessage()
            .contains("expected cdm-snapshot"));
    SafetensorsFile.write(f, Map.of(), Map.of(NetworkSnapshot.CONFIG_KEY, "{not json"));
    assertTrue(
        assertThrows(IOException.class, () -> NetworkSnapshot.read(f))
            .getMessage()
            .contains("invalid cdm.config JSON in " + f));
  }
}
