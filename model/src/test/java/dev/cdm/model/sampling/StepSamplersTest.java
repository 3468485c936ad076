package dev.cdm.model.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.TorchRandom;
import org.junit.jupiter.api.Test;

/** The CDM repo's one-step samplers and eval.py's inpainting sampler, on the Gaussian denoiser. */
class StepSamplersTest {
  static final double S = 0.5;

  private static double maxAbs(NDArray a, NDArray b) {
    return a.toType(DataType.FLOAT64, false)
        .sub(b.toType(DataType.FLOAT64, false))
        .abs()
        .max()
        .getDouble();
  }

  @Test
  void churnAndDeterministicStepsComposeToTheEdmSampler() {
    try (NDManager m = NDManager.newBaseManager()) {
      TorchRandom.manualSeed(3);
      NDArray lat = m.randomNormal(new Shape(2, 1, 4, 4));
      GaussianDenoiser net = new GaussianDenoiser(S, 1, 4, 0);
      int n = 8;
      EdmSampler edm = EdmSampler.builder().numSteps(n).build();
      NDArray expected = edm.sample(net, lat, null, new GlobalNoise());
      double[] t = edm.plan(net, m).timeSteps();
      NDArray a = lat.toType(DataType.FLOAT64, false).mul(t[0]);
      NDArray b = a;
      for (int i = 0; i < n; i++) {
        a =
            ChurnStep.step(
                    net,
                    a,
                    null,
                    0,
                    0,
                    Double.POSITIVE_INFINITY,
                    1,
                    n,
                    t[i],
                    t[i + 1],
                    i,
                    true,
                    new GlobalNoise())
                .xNext;
        b = DeterministicStep.step(net, b, null, n, t[i], t[i + 1], i, true);
      }
      assertEquals(0d, maxAbs(expected, a));
      assertEquals(0d, maxAbs(expected, b));
    }
  }

  @Test
  void deterministicStepWithoutCorrectionIsFirstOrderEuler() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray lat = m.ones(new Shape(1, 1, 1, 1));
      GaussianDenoiser net = new GaussianDenoiser(S, 1, 1, 0);
      double exact = 80 * S / Math.sqrt(S * S + 80 * 80);
      double[] err = new double[2];
      int[] steps = {32, 64};
      for (int k = 0; k < 2; k++) {
        double[] t = TimeSteps.appendZero(TimeSteps.edm(0.002, 80, 7, steps[k]));
        NDArray x = lat.toType(DataType.FLOAT64, false).mul(t[0]);
        for (int i = 0; i < steps[k]; i++) {
          x = DeterministicStep.step(net, x, null, steps[k], t[i], t[i + 1], i, false);
        }
        err[k] = Math.abs(x.getDouble(0, 0, 0, 0) - exact);
      }
      // Doubling the steps halves Euler's error (about 2x, not Heun's 4x).
      double ratio = err[0] / err[1];
      assertTrue(ratio > 1.6 && ratio < 2.6, "error ratio " + ratio);
    }
  }

  @Test
  void backwardSdeStepAddsNoiseOfTheRightScale() {
    try (NDManager m = NDManager.newBaseManager()) {
      // With D = 0 the step is x + 2 (t_next - t) x / t + sqrt(2 |t - t_next| t) z.
      GaussianDenoiser zero = new GaussianDenoiser(0, 1, 64, 0);
      NDArray x = m.zeros(new Shape(4, 1, 64, 64), DataType.FLOAT64);
      TorchRandom.manualSeed(9);
      StepResult r =
          BackwardSdeStep.step(zero, x, null, 6, 2.0, 1.5, 0, false, null, new GlobalNoise());
      double std = r.xNext.pow(2).mean().sqrt().getDouble();
      assertEquals(Math.sqrt(2 * 0.5 * 2.0), std, 0.03);
      // The same global seed gives the same draw.
      TorchRandom.manualSeed(9);
      StepResult again =
          BackwardSdeStep.step(zero, x, null, 6, 2.0, 1.5, 0, false, null, new GlobalNoise());
      assertEquals(0d, maxAbs(r.xNext, again.xNext));
    }
  }

  @Test
  void inpaintingKeepsKnownPixelsAndSamplesTheRest() {
    try (NDManager m = NDManager.newBaseManager()) {
      TorchRandom.manualSeed(4);
      NDArray lat = m.randomNormal(new Shape(2, 1, 4, 4));
      NDArray y = m.randomNormal(new Shape(2, 1, 4, 4)).mul(0.5f);
      GaussianDenoiser net = new GaussianDenoiser(S, 1, 4, 0);
      EdmSampler edm = EdmSampler.builder().numSteps(6).build();
      InpaintingSampler inpaint = new InpaintingSampler(edm);
      // Everything known: the result is the measurement (t_N = 0).
      NDArray all = inpaint.sample(net, y, m.ones(y.getShape()), lat, null, new GlobalNoise());
      assertTrue(maxAbs(all, y) < 1e-6, "known pixels " + maxAbs(all, y));
      // Nothing known: the EDM sampler.
      NDArray none = inpaint.sample(net, y, m.zeros(y.getShape()), lat, null, new GlobalNoise());
      assertEquals(0d, maxAbs(none, edm.sample(net, lat, null, new GlobalNoise())));
      assertThrows(
          IllegalArgumentException.class,
          () ->
              new InpaintingSampler(EdmSampler.builder().numSteps(1).build())
                  .sample(net, y, m.ones(y.getShape()), lat, null, new GlobalNoise()));
    }
  }

  @Test
  void exampleSamplerIsReproducibleAndTilesRowByRow() {
    try (NDManager m = NDManager.newBaseManager()) {
      GaussianDenoiser net = new GaussianDenoiser(S, 3, 4, 10);
      NDArray a = ExampleSampler.sample(net, m, 7, 6, 4, 0.002, 80, 7, false, false);
      NDArray b = ExampleSampler.sample(net, m, 7, 6, 4, 0.002, 80, 7, false, false);
      assertEquals(0d, maxAbs(a, b));
      NDArray same = ExampleSampler.sample(net, m, 7, 6, 4, 0.002, 80, 7, true, false);
      assertEquals(0d, maxAbs(same.get(0), same.get(5)));
      NDArray u8 = ImageQuantizer.toUint8(a);
      NDArray grid = ExampleSampler.grid(u8, 3, 2);
      assertEquals(new Shape(8, 12, 3), grid.getShape());
      // Tile (row 1, col 2) is image 5; pixel (y, x, c) of it.
      assertEquals(u8.getByte(5, 1, 2, 3), grid.getByte(4 + 2, 8 + 3, 1));
    }
  }
}
