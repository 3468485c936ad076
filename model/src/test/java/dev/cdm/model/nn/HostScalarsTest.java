package dev.cdm.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostScalarsTest {
  /**
   * Autograd keeps the scalar operand of {@code x * c} for the backward pass. If the scalar's
   * memory belonged to a Java direct buffer (DJL's {@code create(Number)} on the CPU wraps one
   * without a copy), the garbage collector could free it between forward and backward, and the
   * gradient would be read from freed (here: overwritten) memory.
   */
  @Test
  void savedScalarsSurviveGarbageCollectionBeforeBackward() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomNormal(new Shape(64));
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = x;
        for (int i = 0; i < 50; i++) {
          y = HostScalars.div(HostScalars.mul(y, 3.0), 3.0);
        }
        NDArray loss = HostScalars.mul(y, 2.5).sum();
        churnNativeMemory();
        gc.backward(loss);
      }
      float[] g = x.getGradient().toFloatArray();
      float[] expect = new float[g.length];
      java.util.Arrays.fill(expect, 2.5f);
      assertArrayEquals(expect, g, 1e-4f);
    }
  }

  @Test
  void resultsHaveTheArraysTypeAsWithAPythonFloat() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new Shape(3), DataType.FLOAT32);
      assertEquals(DataType.FLOAT32, HostScalars.mul(x, 0.1).getDataType());
      assertEquals(
          DataType.FLOAT64, HostScalars.mul(x.toType(DataType.FLOAT64, false), 0.1).getDataType());
      assertEquals(0.1 * 0.1, HostScalars.mul(m.create(new double[] {0.1}), 0.1).getDouble(0), 0);
      assertEquals(
          (float) (1 / 3.0), HostScalars.rdiv(1, m.create(new float[] {3f})).getFloat(0), 0);
    }
  }

  /**
   * Lets the collector free unreachable direct buffers, then reuses native memory with NaN bytes.
   */
  static void churnNativeMemory() throws InterruptedException {
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(20);
      List<ByteBuffer> fill = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(8);
        b.putDouble(0, Double.NaN);
        fill.add(b);
      }
      fill.clear();
    }
  }
}
