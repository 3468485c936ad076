package dev.cdm.model.precond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.NetworkLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fixtures were made as {@code torch.manual_seed(1000 + i); net = Precond(...); for p in
 * net.parameters(): p.add_(randn_like(p) * 0.05)}. Replaying that with DJL's generator (the same
 * torch CPU generator) must rebuild the fixture weights: this checks every initialiser, the order
 * of the draws and the shapes against the reference.
 */
class ReferenceInitTest {
  @ParameterizedTest
  @CsvSource({"ddpmpp-edm-cond,0", "ncsnpp-ve-uncond,1", "adm-vp-cond,2", "ddpmpp-cdm-gray,3"})
  void seededInitialisationReproducesTheReferenceWeights(String name, int index) throws Exception {
    Path pkl = Path.of(getClass().getResource("/fixtures/" + name + ".pkl").toURI());
    try (NDManager m = NDManager.newBaseManager();
        Precond ref = NetworkLoader.load(pkl, m)) {
      Engine.getInstance().setRandomSeed(1000 + index);
      try (Precond fresh = Precond.create(ref.className(), ref.initKwargs(), m)) {
        for (NDArray p : fresh.parameters().values()) {
          p.addi(m.randomNormal(p.getShape()).mul(0.05f));
        }
        Map<String, NDArray> want = ref.stateDict();
        Map<String, NDArray> got = fresh.stateDict();
        assertEquals(want.keySet(), got.keySet());
        assertEquals(ref.parameterCount(), fresh.parameterCount());
        for (Map.Entry<String, NDArray> e : want.entrySet()) {
          float err = e.getValue().sub(got.get(e.getKey())).abs().max().getFloat();
          assertTrue(err <= 1e-6f, name + " " + e.getKey() + ": max abs difference " + err);
        }
      }
    }
  }
}
