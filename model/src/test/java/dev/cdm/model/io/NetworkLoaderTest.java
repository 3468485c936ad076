package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Precond;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkLoaderTest {
  @Test
  void snapshotRoundTripIsExactAndGivesTheSameDenoiser(@TempDir Path dir) throws Exception {
    Path pkl = NetworkParityTest.fixture("ncsnpp-ve-uncond.pkl");
    Path st = dir.resolve("net.safetensors");
    try (NDManager m = NDManager.newBaseManager();
        Precond a = NetworkLoader.load(pkl, m)) {
      NetworkLoader.save(a, st, Map.of("kimg", 12));
      assertTrue(Files.exists(st));
      try (Precond b = NetworkLoader.load(st, m)) {
        assertEquals(a.config(), b.config());
        assertEquals(a.stateDict().keySet(), b.stateDict().keySet());
        for (Map.Entry<String, NDArray> e : a.stateDict().entrySet()) {
          assertArrayEquals(
              e.getValue().toFloatArray(),
              b.stateDict().get(e.getKey()).toFloatArray(),
              e.getKey());
        }
        Map<String, NDArray> r =
            NetworkParityTest.npz(NetworkParityTest.fixture("ncsnpp-ve-uncond.npz"), m);
        NDArray da = a.denoise(r.get("x"), r.get("sigma"), null, r.get("augment_labels"));
        NDArray db = b.denoise(r.get("x"), r.get("sigma"), null, r.get("augment_labels"));
        assertArrayEquals(da.toFloatArray(), db.toFloatArray());
      }
      assertEquals(12L, NetworkSnapshot.load(st).extra().get("kimg"));
    }
  }

  @Test
  void corruptAndForeignFilesAreErrorsThatNameTheFile(@TempDir Path dir) throws Exception {
    byte[] good = Files.readAllBytes(NetworkParityTest.fixture("ddpmpp-edm-cond.pkl"));
    Path cut = dir.resolve("cut.pkl");
    Files.write(cut, Arrays.copyOf(good, good.length / 2));
    Path junk = dir.resolve("junk.pkl");
    Files.write(junk, "not a pickle at all".getBytes());
    try (NDManager m = NDManager.newBaseManager()) {
      for (Path p : new Path[] {cut, junk, dir.resolve("absent.pkl")}) {
        Exception e = assertThrows(Exception.class, () -> NetworkLoader.load(p, m));
        assertTrue(
            String.valueOf(e.getMessage()).contains(p.getFileName().toString()), e.getMessage());
      }
    }
  }

  @Test
  void loadingDoesNotMoveTheGlobalGenerator() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      ai.djl.engine.Engine.getInstance().setRandomSeed(77);
      float[] expected = m.randomNormal(new ai.djl.ndarray.types.Shape(5)).toFloatArray();
      ai.djl.engine.Engine.getInstance().setRandomSeed(77);
      try (Precond p = NetworkLoader.load(NetworkParityTest.fixture("ncsnpp-ve-uncond.pkl"), m)) {
        assertArrayEquals(
            expected, m.randomNormal(new ai.djl.ndarray.types.Shape(5)).toFloatArray());
      }
    }
  }

  @Test
  void aPickleNamingOsSystemIsRefusedAndNothingRuns(@TempDir Path dir) throws Exception {
    Path marker = dir.resolve("pwned");
    // protocol 2: GLOBAL os.system, ("touch <marker>",), REDUCE, STOP
    String cmd = "touch " + marker;
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(new byte[] {(byte) 0x80, 2});
    b.write("cos\nsystem\n".getBytes());
    b.write('X');
    byte[] c = cmd.getBytes();
    b.write(
        java.nio.ByteBuffer.allocate(4)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(c.length)
            .array());
    b.write(c);
    b.write(new byte[] {(byte) 0x85, 'R', '.'});
    Path evil = dir.resolve("evil.pkl");
    Files.write(evil, b.toByteArray());
    try (NDManager m = NDManager.newBaseManager()) {
      Exception e = assertThrows(Exception.class, () -> NetworkLoader.load(evil, m));
      assertTrue(
          e.getMessage().contains("os") && e.getMessage().contains("system"), e.getMessage());
      assertTrue(e.getMessage().contains("evil.pkl"), e.getMessage());
    }
    assertTrue(!Files.exists(marker), "the pickle ran a command");
  }

  @Test
  void aStateDictThatDoesNotFitIsRejectedNamingTheKey() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Precond net = NetworkLoader.load(NetworkParityTest.fixture("ddpmpp-cdm-gray.pkl"), m)) {
      Map<String, NDArray> sd = new java.util.LinkedHashMap<>(net.stateDict());
      sd.remove("model.map_layer0.bias");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(sd));
      assertTrue(e.getMessage().contains("model.map_layer0.bias"), e.getMessage());
      sd.put("model.map_layer0.bias", m.zeros(new ai.djl.ndarray.types.Shape(3)));
      e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(sd));
      assertTrue(e.getMessage().contains("model.map_layer0.bias"), e.getMessage());
    }
  }
}
