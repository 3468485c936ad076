package dev.cdm.model.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomSourceTest {

  @Test
  void seededStreamsDependOnlyOnSeedStreamAndCounter() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape s = new Shape(64);
      SeededRandomSource a = new SeededRandomSource(5, SeededRandomSource.streamOf(10, 0, 0));
      float[] a1 = a.randn(m, s, DataType.FLOAT32).toFloatArray();
      float[] a2 = a.rand(m, s, DataType.FLOAT32).toFloatArray();
      // Other users of the engine generator in between change nothing.
      Engine.getInstance().setRandomSeed(99);
      m.randomNormal(new Shape(1000));
      SeededRandomSource b = new SeededRandomSource(5, SeededRandomSource.streamOf(10, 0, 0));
      assertArrayEquals(a1, b.randn(m, s, DataType.FLOAT32).toFloatArray(), 0f);
      assertArrayEquals(a2, b.rand(m, s, DataType.FLOAT32).toFloatArray(), 0f);
      float[] other =
          new SeededRandomSource(5, SeededRandomSource.streamOf(10, 1, 0))
              .randn(m, s, DataType.FLOAT32)
              .toFloatArray();
      float[] step =
          new SeededRandomSource(5, SeededRandomSource.streamOf(11, 0, 0))
              .randn(m, s, DataType.FLOAT32)
              .toFloatArray();
      float[] seed =
          new SeededRandomSource(6, SeededRandomSource.streamOf(10, 0, 0))
              .randn(m, s, DataType.FLOAT32)
              .toFloatArray();
      assertFalse(Arrays.equals(a1, other));
      assertFalse(Arrays.equals(a1, step));
      assertFalse(Arrays.equals(a1, seed));
      assertFalse(Arrays.equals(a1, a2));
      for (float v : a2) {
        assertTrue(v >= 0 && v < 1);
      }
      long[] bits = new SeededRandomSource(1, 2).randint(m, 2, new Shape(200)).toLongArray();
      assertTrue(
          Arrays.stream(bits).allMatch(v -> v == 0 || v == 1)
              && Arrays.stream(bits).anyMatch(v -> v == 1));
    }
  }

  @Test
  void replayChecksShapesAndCount() {
    try (NDManager m = NDManager.newBaseManager()) {
      ReplayRandomSource r = new ReplayRandomSource(List.of(m.ones(new Shape(2, 3))));
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> r.randn(m, new Shape(3, 2), DataType.FLOAT32));
      assertTrue(e.getMessage().contains("draw 0"), e.getMessage());
      assertArrayEquals(
          new double[] {1, 1, 1, 1, 1, 1},
          r.randn(m, new Shape(2, 3), DataType.FLOAT64).toDoubleArray(),
          0);
      assertThrows(IllegalStateException.class, () -> r.rand(m, new Shape(1), DataType.FLOAT32));
    }
  }
}
