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
    kw.put("attn_resolutions", List.of());
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
      LinkedHashMap<String, NDArray> pp = plain.parameters();
      for (Map.Entry<String, NDArray> e : linked.parameters().entrySet()) {
        float[] g = e.getValue().getGradient().toFloatArray();
        assertArrayEquals(pp.get(e.getKey()).getGradient().toFloatArray(), g, e.getKey());
        assertTrue(hasNonZero(g) || e.getKey().contains("bias"), e.getKey() + ": no gradient");
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
}
