package dev.cdm.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DropoutStreamTest {
  /** A stream that counts its draws and takes them from a seeded engine. */
  static final class Counting implements DropoutStream.Uniform {
    int draws;

    @Override
    public NDArray rand(NDManager manager, Shape shape) {
      draws++;
      return manager.randomUniform(0f, 1f, shape, DataType.FLOAT32);
    }
  }

  @Test
  void streamDropoutKeepsWithProbabilityOneMinusPScalesAndIsDifferentiable() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Engine.getInstance().setRandomSeed(5);
      double p = 0.3;
      NDArray x = m.randomNormal(new Shape(200, 100)).add(3f); // no zeros
      x.setRequiresGradient(true);
      Counting stream = new Counting();
      Forward f = Forward.simple(m, DataType.FLOAT32, true);
      float[] y;
      float[] grad;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = DropoutStream.with(stream, () -> DropoutStream.dropout(f, x, p));
        y = out.toFloatArray();
        gc.backward(out.sum());
      }
      grad = x.getGradient().toFloatArray();
      assertEquals(1, stream.draws, "the mask came from the stream");
      float[] xs = x.toFloatArray();
      int kept = 0;
      float scale = (float) (1 / (1 - p));
      for (int i = 0; i < xs.length; i++) {
        if (y[i] != 0) {
          kept++;
          assertEquals(
              xs[i] * scale, y[i], 1e-5f * Math.abs(y[i]), "kept element scaled by 1/(1-p)");
          assertEquals(scale, grad[i], 1e-6f, "gradient through a kept element");
        } else {
          assertEquals(0f, grad[i], "no gradient through a dropped element");
        }
      }
      double keptFraction = kept / (double) xs.length; // 20000 draws: sd of the fraction 0.0032
      assertTrue(Math.abs(keptFraction - (1 - p)) < 0.02, "kept fraction " + keptFraction);
    }
  }

  @Test
  void streamDropoutAtHalfPrecisionStaysInHalfAndScalesInFloat() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Engine.getInstance().setRandomSeed(7);
      double p = 0.13;
      NDArray x = m.randomNormal(new Shape(50, 40)).add(3f).toType(DataType.FLOAT16, false);
      x.setRequiresGradient(true);
      Forward f = Forward.simple(m, DataType.FLOAT16, true);
      NDArray out;
      float[] grad;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        out = DropoutStream.with(new Counting(), () -> DropoutStream.dropout(f, x, p));
        gc.backward(out.sum());
      }
      assertEquals(DataType.FLOAT16, out.getDataType(), "dropout keeps the activation's dtype");
      grad = x.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
      float[] y = out.toType(DataType.FLOAT32, false).toFloatArray();
      float[] xs = x.toType(DataType.FLOAT32, false).toFloatArray();
      float scale = (float) (1 / (1 - p));
      try (NDArray halfScale = m.create(new float[] {scale}).toType(DataType.FLOAT16, false)) {
        float roundedScale = halfScale.toType(DataType.FLOAT32, false).getFloat(0);
        int dropped = 0;
        for (int i = 0; i < xs.length; i++) {
          if (y[i] == 0) {
            dropped++;
            assertEquals(0f, grad[i], "no gradient through a dropped element");
            continue;
          }
          // x times the float scale, rounded once to fp16 (not x times the fp16-rounded scale)
          float once =
              m.create(new float[] {xs[i] * scale})
                  .toType(DataType.FLOAT16, false)
                  .toType(DataType.FLOAT32, false)
                  .getFloat(0);
          assertEquals(once, y[i], 0f, "kept element " + i);
          assertEquals(roundedScale, grad[i], 0f, "gradient through a kept element");
        }
        assertTrue(dropped > 100 && dropped < 420, "about 13% dropped: " + dropped);
      }
    }
  }

  @Test
  void sameStreamSeedGivesSameMaskAndNoStreamKeepsTheFusedOp() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Forward f = Forward.simple(m, DataType.FLOAT32, true);
      NDArray x = m.ones(new Shape(64, 64));
      Engine.getInstance().setRandomSeed(11);
      float[] a =
          DropoutStream.with(new Counting(), () -> DropoutStream.dropout(f, x, 0.5)).toFloatArray();
      Engine.getInstance().setRandomSeed(11);
      float[] b =
          DropoutStream.with(new Counting(), () -> DropoutStream.dropout(f, x, 0.5)).toFloatArray();
      assertArrayEquals(a, b, 0f);
      // No stream: the engine generator through DJL's fused op (the single-replica path).
      Counting unused = new Counting();
      float[] fused = DropoutStream.dropout(f, x, 0.5).toFloatArray();
      assertEquals(0, unused.draws);
      int zeros = 0;
      for (float v : fused) {
        zeros += v == 0 ? 1 : 0;
        assertTrue(v == 0 || v == 2f, "fused dropout of ones: 0 or 2, got " + v);
      }
      assertTrue(zeros > 1500 && zeros < 2600, "about half dropped: " + zeros);
      // Label dropout through the stream: whole rows kept (1) or dropped (0).
      Counting s = new Counting();
      float[] keep =
          DropoutStream.with(s, () -> DropoutStream.labelKeep(f, 1000, 0.25, DataType.FLOAT32, x))
              .toFloatArray();
      assertEquals(1, s.draws);
      int kept = 0;
      for (float v : keep) {
        assertTrue(v == 0 || v == 1);
        kept += (int) v;
      }
      assertTrue(Math.abs(kept / 1000.0 - 0.75) < 0.06, "label keep fraction " + kept);
    }
  }
}
