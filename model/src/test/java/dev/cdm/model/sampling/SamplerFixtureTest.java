package dev.cdm.model.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.sampling.AblationSampler.Discretization;
import dev.cdm.model.sampling.AblationSampler.Scaling;
import dev.cdm.model.sampling.AblationSampler.Schedule;
import dev.cdm.model.sampling.AblationSampler.Solver;
import dev.cdm.model.torch.TorchRandom;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every sampler output of the fixtures, from the fixture networks, within 1e-3. */
@org.junit.jupiter.api.Tag("slow")
class SamplerFixtureTest {
  static final double TOL = 1e-3;

  private static double maxAbs(NDArray a, NDArray b) {
    return a.toType(DataType.FLOAT64, false)
        .sub(b.toType(DataType.FLOAT64, false))
        .abs()
        .max()
        .getDouble();
  }

  private static void assertClose(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what);
    double d = maxAbs(expected, actual);
    assertTrue(
        d <= TOL,
        what + ": max abs difference " + d + " (NaNs: " + actual.isNaN().sum().getLong() + ")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"})
  void samplersMatchTheReference(String name) throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Precond net = FixtureNetworks.load(name, m)) {
      Map<String, NDArray> fx = Npz.load(m, "/fixtures/" + name + ".npz");
      NDArray latents = fx.get("latents");
      NDArray labels = fx.get("class_labels");
      // Deterministic EDM sampler, 8 Heun steps.
      assertClose(
          fx.get("edm_heun8"),
          EdmSampler.builder().numSteps(8).build().sample(net, latents, labels, new GlobalNoise()),
          name + " edm_heun8");
      // The four ablation variants.
      Object[][] abl = {
        {Solver.EULER, Discretization.VP, Schedule.VP, Scaling.VP},
        {Solver.HEUN, Discretization.VE, Schedule.VE, Scaling.NONE},
        {Solver.HEUN, Discretization.IDDPM, Schedule.LINEAR, Scaling.NONE},
        {Solver.EULER, Discretization.EDM, Schedule.LINEAR, Scaling.NONE},
      };
      for (Object[] c : abl) {
        String key =
            String.format("ablation_%s_%s_%s_%s", c[0], c[1], c[2], c[3])
                .toLowerCase(java.util.Locale.ROOT);
        AblationSampler s =
            AblationSampler.builder()
                .numSteps(8)
                .solver((Solver) c[0])
                .discretization((Discretization) c[1])
                .schedule((Schedule) c[2])
                .scaling((Scaling) c[3])
                .build();
        assertClose(
            fx.get(key), s.sample(net, latents, labels, new GlobalNoise()), name + " " + key);
      }
      // Per-seed streams + stochastic EDM sampler, as generate.py.
      long[] seeds = fx.get("seeds").toType(DataType.INT64, false).toLongArray();
      EdmSampler churn =
          EdmSampler.builder().numSteps(8).sChurn(40).sMin(0.05).sMax(50).sNoise(1.003).build();
      NDArray x = SeedImages.sample(net, churn, m, seeds, -1);
      NDArray expected = fx.get("seed_stochastic_heun8");
      assertClose(expected, x, name + " seed_stochastic_heun8");
      // Images as generate.py saves them: within one 8-bit level.
      NDArray imgE = ImageQuantizer.toUint8(expected).toType(DataType.INT32, false);
      NDArray imgA = ImageQuantizer.toUint8(x).toType(DataType.INT32, false);
      assertTrue(imgE.sub(imgA).abs().max().getInt() <= 1, name + " images differ by > 1 level");
      // CDM backward SDE sampler on the global generator.
      double[] t = fx.get("backward_sde_t").toDoubleArray();
      TorchRandom.manualSeed(fx.get("backward_sde_seed").toType(DataType.INT64, false).getLong());
      NDArray xs = latents.toType(DataType.FLOAT64, false).mul(t[0]);
      for (int i = 0; i < 5; i++) {
        xs =
            BackwardSdeStep.step(
                    net, xs, labels, 6, t[i], t[i + 1], i, false, null, new GlobalNoise())
                .xNext;
      }
      assertClose(fx.get("backward_sde_out"), xs, name + " backward_sde_out");
    }
  }
}
