package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.torch.Autograd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flat parameter buffer behind a network: gradients, updates and relinking. */
class FlatParametersTest {

  private static TrainableNetwork net(NDManager m) {
    Map<String, Object> kw =
        PrecondNetworks.networkKwargs("ddpmpp", 8, List.of(1, 2), 0.0, false, false);
    kw.put("num_blocks", 1);
    kw.put("attn_resolutions", List.of(4)); // one attention layer per block at 4x4
    return PrecondNetworks.factory("EDMPrecond", kw, 8, 1, 0, Precision.FP32).create(m);
  }

  private static void requireGrad(TrainableNetwork n) {
    n.parameters().values().forEach(p -> p.setRequiresGradient(true));
  }

  /** Sum of the denoised output for a fixed input; backward fills the parameters' gradients. */
  private static float[] forwardBackward(TrainableNetwork n, NDManager m) {
    try (NDManager sub = m.newSubManager()) {
      NDArray x = sub.arange(64f).reshape(1, 1, 8, 8).div(64f);
      NDArray sigma = sub.create(new float[] {0.7f});
      return Autograd.withGrad(
          () -> {
            NDArray out = n.denoise(x, sigma, null, null);
            NDArray s = out.square().sum();
            Autograd.backward(s);
            return out.toFloatArray();
          });
    }
  }

  @Test
  void viewsGetTheSameGradientsAndSeeUpdatesOfTheBuffer() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      TrainableNetwork plain = net(m);
      TrainableNetwork linked = net(m);
      Weights.copyInto(linked.parameters(), plain.parameters(), "plain");
      requireGrad(plain);
      requireGrad(linked);
      FlatParameters flat = FlatParameters.link(linked, true);

      NDArray buffer = flat.flat();
      assertFalse(buffer.hasGradient(), "the flat buffer itself must not require a gradient");
      long total = 0;
      for (NDArray p : linked.parameters().values()) {
        assertTrue(p.hasGradient(), "every view is a leaf that requires a gradient");
        total += p.size();
      }
      assertEquals(new Shape(total), buffer.getShape());
      assertTrue(flat.linked());

      float[] outPlain = forwardBackward(plain, m);
      float[] outLinked = forwardBackward(linked, m);
      assertArrayEquals(outPlain, outLinked);
      // The pass took its float32 weights from one alias of the buffer, a leaf of its own: the
      // gradient comes back whole from takeGradient, and no parameter keeps one.
      LinkedHashMap<String, NDArray> pp = plain.parameters();
      try (NDArray g = flat.takeGradient()) {
        assertEquals(1, flat.lastPasses());
        long off = 0;
        for (Map.Entry<String, NDArray> e : linked.parameters().entrySet()) {
          long n = e.getValue().size();
          float[] gi =
              g.get(new ai.djl.ndarray.index.NDIndex("{}:{}", off, off + n)).toFloatArray();
          off += n;
          assertArrayEquals(pp.get(e.getKey()).getGradient().toFloatArray(), gi, e.getKey());
          assertTrue(hasNonZero(gi) || e.getKey().contains("bias"), e.getKey() + ": no gradient");
          assertEquals(
              null, Autograd.gradientOrNull(e.getValue()), e.getKey() + " kept a gradient");
        }
      }

      // An in-place update of the buffer (grad mode off) is what the next forward reads.
      Autograd.noGrad(
          () -> {
            HostScalars.muli(buffer, 0.5);
            for (NDArray p : pp.values()) {
              HostScalars.muli(p, 0.5);
            }
            return null;
          });
      assertSame(buffer, flat.flat());
      assertArrayEquals(forwardBackward(plain, m), forwardBackward(linked, m));
      flat.takeGradient().close();
      for (Map.Entry<String, NDArray> e : linked.parameters().entrySet()) {
        assertArrayEquals(
            pp.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), e.getKey());
      }
    }
  }

  @Test
  void replacedParametersAreLinkedAgain() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      TrainableNetwork other = net(m);
      TrainableNetwork ema = net(m);
      FlatParameters flat = FlatParameters.link(ema, false);
      NDArray before = flat.flat();
      // A state dict loaded into the network replaces its parameter arrays.
      PrecondNetworks.precond(ema).loadStateDict(PrecondNetworks.precond(other).stateDict());
      assertFalse(flat.linked());
      NDArray after = flat.flat();
      assertNotSame(before, after);
      assertTrue(flat.linked());
      try (NDArray expected = Adam.flatten(List.copyOf(other.parameters().values()))) {
        assertArrayEquals(expected.toFloatArray(), after.toFloatArray());
      }
      for (NDArray p : ema.parameters().values()) {
        assertFalse(p.hasGradient(), "the EMA's views need no gradient");
      }
    }
  }

  private static boolean hasNonZero(float[] a) {
    for (float v : a) {
      if (v != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * At fp16 a pass takes its weights from one cast of the flat buffer ({@link
   * FlatParameters#forPass}); the gradient equals the per-use casts' (the reference's {@code
   * weight.to(x.dtype)} at each use), after one pass and after two passes summed, and it is reset
   * when taken. Runs the fp16 path on the CPU engine (test switch).
   */
  @Test
  void fp16PassWeightsGiveThePerUseCastsGradient() {
    String key = "cdm.test.reducedPrecisionOnCpu";
    String before = System.getProperty(key);
    System.setProperty(key, "true");
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Map<String, Object> kw =
          PrecondNetworks.networkKwargs("ddpmpp", 8, List.of(1, 2), 0.0, false, false);
      kw.put("num_blocks", 1);
      kw.put("attn_resolutions", List.of(4)); // one attention layer per block at 4x4
      TrainableNetwork perUse =
          PrecondNetworks.factory("EDMPrecond", kw, 8, 1, 0, Precision.FP16).create(m);
      TrainableNetwork perPass =
          PrecondNetworks.factory("EDMPrecond", kw, 8, 1, 0, Precision.FP16).create(m);
      Weights.copyInto(perPass.parameters(), perUse.parameters(), "perUse");
      requireGrad(perUse);
      requireGrad(perPass);
      FlatParameters a = FlatParameters.link(perUse, true);
      perUse.setPassWeights(null); // back to a cast at every use
      FlatParameters b = FlatParameters.link(perPass, true);
      for (int passes = 1; passes <= 2; passes++) {
        for (int k = 0; k < passes; k++) {
          float[] outA = forwardBackward(perUse, m);
          float[] outB = forwardBackward(perPass, m);
          assertArrayEquals(outA, outB, "pass " + k);
        }
        try (NDArray ga = a.takeGradient();
            NDArray gb = b.takeGradient()) {
          assertEquals(0, a.lastPasses(), "per-use casts");
          assertEquals(passes, b.lastPasses(), "one cast of the buffer per pass");
          assertEquals(DataType.FLOAT32, gb.getDataType());
          assertEquals(ga.getShape(), gb.getShape());
          assertTrue(ga.abs().sum().getFloat() > 0, "a gradient");
          assertTrue(
              ga.eq(gb).all().getBoolean(),
              passes + " pass(es): largest difference " + ga.sub(gb).abs().max().getFloat());
        }
      }
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }
}
