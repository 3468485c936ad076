package dev.cdm.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cdm.model.torch.Autograd;
import dev.cdm.model.torch.FusedKernels;
import org.junit.jupiter.api.Test;

/** The fused kernels (TorchScript resource) agree with the composed forms, values and gradients. */
class FusedKernelsTest {

  @Test
  void fusedKernelsLoadOnTheCpuEngine() {
    assertTrue(FusedKernels.enabled(), "fused-ops.pt should load with the CPU libtorch");
  }

  @Test
  void groupNormSiluMatchesComposedFormWithGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      float[] weight = m.randomNormal(new Shape(32)).toFloatArray();
      float[] bias = m.randomNormal(new Shape(32)).toFloatArray();
      NDArray x0 = m.randomNormal(new Shape(3, 32, 5, 5)).mul(3).add(1);

      float[][] out = new float[2][];
      float[][] gx = new float[2][];
      float[][] gw = new float[2][];
      for (int k = 0; k < 2; k++) {
        // A fresh layer per pass: gradients accumulate on a parameter across passes.
        GroupNorm gn = new GroupNorm(m, 32, 8, 4, 1e-5);
        gn.p("weight").set(weight);
        gn.p("bias").set(bias);
        NDArray x = x0.duplicate();
        x.setRequiresGradient(true);
        gn.p("weight").setRequiresGradient(true);
        try (NDManager sub = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          Forward f = Forward.simple(sub, DataType.FLOAT32, true);
          NDArray y = k == 0 ? gn.forwardSilu(f, x) : Ops.siluComposed(gn.composed(f, x));
          out[k] = y.toFloatArray();
          gc.backward(y.square().sum());
        }
        gx[k] = x.getGradient().toFloatArray();
        gw[k] = gn.p("weight").getGradient().toFloatArray();
      }
      assertClose(out[0], out[1], 1e-5, "forward");
      assertClose(gx[0], gx[1], 1e-4, "x gradient");
      assertClose(gw[0], gw[1], 1e-3, "weight gradient");
    }
  }

  @Test
  void siluMatchesComposedForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomNormal(new Shape(1000)).mul(4);
      assertClose(
          FusedKernels.silu(x).toFloatArray(), Ops.siluComposed(x).toFloatArray(), 1e-6, "silu");
    }
  }

  private static void assertClose(float[] a, float[] b, double tol, String what) {
    double max = 0;
    double scale = 1;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    assertTrue(max <= tol * scale, what + ": max abs diff " + max + " > " + tol * scale);
  }

  /**
   * On the CPU an upload is a libtorch-owned copy: it outlives the host array (whose memory may be
   * a Java buffer) and keeps its dtype. (The GPU path, pinned memory and a non-blocking copy, needs
   * a GPU.)
   */
  @Test
  void uploadToTheCpuIsAnIndependentCopy() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray like = m.zeros(new Shape(1));
      NDArray copy;
      try (NDManager host = m.newSubManager()) {
        NDArray idx = host.create(new long[] {3, 1, 4, 1, 5});
        copy = FusedKernels.upload(idx, like);
        copy.attach(m);
        idx.set(new long[] {0, 0, 0, 0, 0});
      }
      assertEquals(ai.djl.ndarray.types.DataType.INT64, copy.getDataType());
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new long[] {3, 1, 4, 1, 5}, copy.toLongArray());
    }
  }

  /**
   * A fused kernel's result made with gradients off can enter a later training graph, as the
   * augment pipe's uploads and labels do. DJL's script-method entry with its training flag false
   * runs in libtorch's inference mode, whose results no tracked computation may save for backward;
   * the first fp16 training step on a GPU failed that way.
   */
  @Test
  void aResultMadeWithoutGradientsCanBeSavedForBackwardLater() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {-2f, -0.5f, 0f, 1.5f});
      NDArray y = Autograd.noGrad(() -> FusedKernels.silu(x));
      NDArray w = m.create(new float[] {1f, 2f, 3f, 4f});
      w.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(w.mul(y).sum()); // mul saves y for w's gradient
      }
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          y.toFloatArray(), w.getGradient().toFloatArray());
    }
  }

  /**
   * The fused attention (scaled_dot_product_attention on [N, L, c] views) is the reference's
   * attention on [N, c, L]: values and the gradients of q, k and v, at float32 on the CPU.
   */
  @Test
  void attentionMatchesComposedFormWithGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      NDArray q0 = m.randomNormal(new Shape(3, 16, 12));
      NDArray k0 = m.randomNormal(new Shape(3, 16, 12)).mul(2);
      NDArray v0 = m.randomNormal(new Shape(3, 16, 12));
      NDArray r = m.randomNormal(new Shape(3, 16, 12)); // weights of the scalar objective
      float[][] out = new float[2][];
      float[][][] grads = new float[2][3][];
      for (int pass = 0; pass < 2; pass++) {
        NDArray[] qkv = {q0.duplicate(), k0.duplicate(), v0.duplicate()};
        for (NDArray a : qkv) {
          a.setRequiresGradient(true);
        }
        try (NDManager sub = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray y =
              pass == 0
                  ? FusedKernels.attention(qkv[0], qkv[1], qkv[2])
                  : qkv[2].matMul(UNetBlock.attentionWeights(qkv[0], qkv[1]).transpose(0, 2, 1));
          assertEquals(new Shape(3, 16, 12), y.getShape());
          out[pass] = y.toFloatArray();
          gc.backward(y.mul(r).sum());
        }
        for (int i = 0; i < 3; i++) {
          grads[pass][i] = qkv[i].getGradient().toFloatArray();
        }
      }
      assertClose(out[0], out[1], 1e-5, "attention");
      String[] names = {"q gradient", "k gradient", "v gradient"};
      for (int i = 0; i < 3; i++) {
        assertClose(grads[0][i], grads[1][i], 1e-4, names[i]);
      }
    }
  }

  /**
   * Which attention a block uses: the fused kernel only while gradients are recorded at reduced
   * precision (training at fp16); sampling at fp16 and everything at float32 keep the reference's
   * arithmetic. At fp16 the two agree to the activation dtype's rounding.
   */
  @Test
  void blocksUseTheFusedAttentionOnlyForReducedPrecisionTraining() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(6);
      NDArray q = m.randomNormal(new Shape(2, 16, 10)).toType(DataType.FLOAT16, false);
      NDArray k = m.randomNormal(new Shape(2, 16, 10)).toType(DataType.FLOAT16, false);
      NDArray v = m.randomNormal(new Shape(2, 16, 10)).toType(DataType.FLOAT16, false);
      float[] fused =
          FusedKernels.attention(q, k, v).toType(DataType.FLOAT32, false).toFloatArray();
      float[] composed =
          Autograd.noGrad(() -> v.matMul(UNetBlock.attentionWeights(q, k).transpose(0, 2, 1)))
              .toType(DataType.FLOAT32, false)
              .toFloatArray();
      float[] training =
          Autograd.withGrad(() -> UNetBlock.attention(q, k, v))
              .toType(DataType.FLOAT32, false)
              .toFloatArray();
      float[] sampling =
          Autograd.noGrad(() -> UNetBlock.attention(q, k, v))
              .toType(DataType.FLOAT32, false)
              .toFloatArray();
      org.junit.jupiter.api.Assertions.assertArrayEquals(fused, training, "training at fp16");
      org.junit.jupiter.api.Assertions.assertArrayEquals(composed, sampling, "sampling at fp16");
      assertClose(fused, composed, 2e-3, "fused against composed at fp16");
      NDArray q32 = q.toType(DataType.FLOAT32, false);
      NDArray k32 = k.toType(DataType.FLOAT32, false);
      NDArray v32 = v.toType(DataType.FLOAT32, false);
      float[] composed32 =
          Autograd.withGrad(
                  () -> v32.matMul(UNetBlock.attentionWeights(q32, k32).transpose(0, 2, 1)))
              .toFloatArray();
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          composed32,
          Autograd.withGrad(() -> UNetBlock.attention(q32, k32, v32)).toFloatArray(),
          "training at float32");
    }
  }
}
