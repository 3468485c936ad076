package dev.cdm.model.precond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cdm.model.nn.Forward;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingModeTest {
  @Test
  void gradientsReachEveryParameterThroughDenoise() {
    Map<String, Object> kw = FreshNetworkTest.tiny();
    kw.put("dropout", 0.1);
    kw.put("label_dropout", 0.1);
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", kw, m)) {
      net.setTraining(true);
      for (NDArray p : net.parameters().values()) {
        p.setRequiresGradient(true);
      }
      try (NDManager step = m.newSubManager()) {
        NDArray x = step.randomNormal(new Shape(2, 3, 16, 16));
        NDArray sigma = step.create(new float[] {0.2f, 5f});
        NDArray labels =
            step.create(
                new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                new Shape(2, 10));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray d = net.denoise(x, sigma, labels, step.randomNormal(new Shape(2, 9)));
          NDArray loss = d.sub(x).square().mean();
          gc.backward(loss);
        }
        int nonzero = 0;
        for (Map.Entry<String, NDArray> e : net.parameters().entrySet()) {
          NDArray g = e.getValue().getGradient();
          assertEquals(e.getValue().getShape(), g.getShape(), e.getKey());
          assertTrue(Float.isFinite(g.abs().sum().getFloat()), e.getKey());
          if (g.abs().sum().getFloat() > 0) {
            nonzero++;
          }
        }
        // all but possibly a few (e.g. the label rows of absent classes are still touched via bias)
        assertTrue(
            nonzero >= net.parameters().size() - 2, nonzero + " of " + net.parameters().size());
      }
    }
  }

  @Test
  void dropoutOnlyInTrainingMode() {
    Map<String, Object> kw = FreshNetworkTest.tiny();
    kw.put("dropout", 0.5);
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", kw, m)) {
      // make conv1 weights non-negligible so dropout visibly changes the output
      for (Map.Entry<String, NDArray> e : net.parameters().entrySet()) {
        if (e.getKey().endsWith("conv1.weight")) {
          e.getValue().muli(1e4f);
        }
      }
      NDArray x = m.randomNormal(new Shape(1, 3, 16, 16));
      NDArray s = m.create(new float[] {1f});
      NDArray a = net.denoise(x, s, null);
      NDArray b = net.denoise(x, s, null);
      assertEquals(0f, a.sub(b).abs().max().getFloat());
      net.setTraining(true);
      NDArray c = net.denoise(x, s, null);
      assertNotEquals(0f, a.sub(c).abs().max().getFloat());
    }
  }

  @Test
  void bfloat16IsRefusedClearlyInsteadOfCrashingTheNativeLibrary() {
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", FreshNetworkTest.tiny(), m)) {
      UnsupportedOperationException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              UnsupportedOperationException.class, () -> net.setPrecision(Precision.BF16));
      assertTrue(e.getMessage().contains("bf16"), e.getMessage());
    }
  }

  @Test
  void reducedPrecisionModelPathRunsAndStaysCloseToFloat32() {
    // The precond uses reduced precision only on a GPU (as the reference); this exercises the
    // model's fp16 path directly on the CPU: casts, fp32 attention, dtype of the output.
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", FreshNetworkTest.tiny(), m)) {
      for (NDArray p : net.parameters().values()) {
        p.addi(m.randomNormal(p.getShape()).mul(0.05f));
      }
      NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
      NDArray noise = m.create(new float[] {-1f, 0.5f});
      NDArray labels = m.zeros(new Shape(2, 10));
      try (NDManager sub = m.newSubManager()) {
        NDArray f32 =
            net.model()
                .forward(Forward.simple(sub, DataType.FLOAT32, false), x, noise, labels, null);
        NDArray bf =
            net.model()
                .forward(
                    Forward.simple(sub, DataType.FLOAT16, false),
                    x.toType(DataType.FLOAT16, false),
                    noise,
                    labels,
                    null);
        assertEquals(DataType.FLOAT16, bf.getDataType());
        float scale = f32.abs().max().getFloat();
        float err = bf.toType(DataType.FLOAT32, false).sub(f32).abs().max().getFloat();
        assertTrue(err < 0.02f * scale + 1e-3f, "fp16 error " + err + " vs scale " + scale);
        assertTrue(err > 0, "fp16 path did not run at fp16");
      }
    }
  }
}
