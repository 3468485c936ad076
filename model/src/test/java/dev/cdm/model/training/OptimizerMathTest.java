package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adam, EMA and the gradient guard against torch's formulas written out in doubles. */
class OptimizerMathTest {

  @Test
  void adamFollowsTorch() {
    try (NDManager m = NDManager.newBaseManager()) {
      LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
      params.put("a", m.create(new float[] {0.5f, -1f, 2f, 0f}, new Shape(2, 2)));
      params.put("b", m.create(new float[] {3f, -0.25f}));
      double[] p = {0.5, -1, 2, 0, 3, -0.25};
      double[] mm = new double[6];
      double[] vv = new double[6];
      float[][] grads = {
        {0.1f, -0.2f, 0.3f, 1e-3f, 5f, -7f},
        {-0.4f, 0.1f, 0.0f, 2f, 1f, 1f},
        {1f, 1f, -1f, -1f, 0.5f, 0.25f}
      };
      double[] lrs = {1e-3, 2e-3, 0.5};
      Adam adam = new Adam();
      for (int t = 0; t < grads.length; t++) {
        adam.update(params, m.create(grads[t]), lrs[t]);
        int step = t + 1;
        for (int i = 0; i < 6; i++) {
          double g = grads[t][i];
          mm[i] += (g - mm[i]) * (1 - 0.9);
          vv[i] = vv[i] * 0.999 + (1 - 0.999) * g * g;
          double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(0.999, step)) + 1e-8;
          p[i] -= lrs[t] / (1 - Math.pow(0.9, step)) * mm[i] / denom;
        }
      }
      float[] got = new float[6];
      System.arraycopy(params.get("a").toFloatArray(), 0, got, 0, 4);
      System.arraycopy(params.get("b").toFloatArray(), 0, got, 4, 2);
      for (int i = 0; i < 6; i++) {
        assertEquals(p[i], got[i], 1e-5 * Math.max(1, Math.abs(p[i])), "param " + i);
      }
      assertEquals(3, adam.step());
      assertEquals(List.of("a", "b"), List.copyOf(adam.expAvg().keySet()));
      assertEquals(new Shape(2, 2), adam.expAvg().get("a").getShape());
      assertEquals((float) mm[5], adam.expAvg().get("b").toFloatArray()[1], 1e-6f);
      assertEquals((float) vv[0], adam.expAvgSq().get("a").toFloatArray()[0], 1e-8f);
    }
  }

  @Test
  void emaBetaAndLerp() {
    Ema ema = new Ema(500, 0.05);
    assertEquals(0.0, ema.beta(0, 512), 0.0); // ramp-up: half-life 0 at the start
    assertEquals(Math.pow(0.5, 512 / (0.05 * 1e6)), ema.beta(1_000_000, 512), 1e-12);
    assertEquals(Math.pow(0.5, 512 / 500e3), ema.beta(100_000_000, 512), 1e-12);
    assertEquals(Math.pow(0.5, 512 / 500e3), new Ema(500, null).beta(0, 512), 1e-12);
    try (NDManager m = NDManager.newBaseManager()) {
      for (double beta : new double[] {0.9, 0.3}) {
        Map<String, NDArray> e = new LinkedHashMap<>();
        e.put("w", m.create(new float[] {1f, 2f, -3f}));
        Map<String, NDArray> n = Map.of("w", m.create(new float[] {0f, 4f, 1f}));
        Ema.update(e, n, beta);
        float[] expect = new float[3];
        float[] a = {0f, 4f, 1f};
        float[] b = {1f, 2f, -3f};
        for (int i = 0; i < 3; i++) {
          expect[i] = (float) (a[i] + beta * (b[i] - a[i]));
        }
        assertArrayEquals(expect, e.get("w").toFloatArray(), 1e-6f, "beta " + beta);
      }
    }
  }

  /** The one-op updates of a flat parameter buffer give the per-parameter results, bit for bit. */
  @Test
  void flatUpdatesEqualPerParameterUpdates() {
    try (NDManager m = NDManager.newBaseManager()) {
      java.util.Random rnd = new java.util.Random(3);
      float[] init = new float[10];
      float[] other = new float[10];
      for (int i = 0; i < 10; i++) {
        init[i] = (float) rnd.nextGaussian();
        other[i] = (float) rnd.nextGaussian();
      }
      LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
      params.put("a", m.create(java.util.Arrays.copyOfRange(init, 0, 6), new Shape(2, 3)));
      params.put("b", m.create(java.util.Arrays.copyOfRange(init, 6, 10)));
      NDArray flat = m.create(init);
      LinkedHashMap<String, NDArray> views = new LinkedHashMap<>();
      List<NDArray> v = Adam.unflatten(flat, List.of(new Shape(2, 3), new Shape(4)));
      views.put("a", v.get(0));
      views.put("b", v.get(1));
      Adam perParam = new Adam();
      Adam flatAdam = new Adam();
      for (int t = 0; t < 4; t++) {
        float[] g = new float[10];
        for (int i = 0; i < 10; i++) {
          g[i] = (float) rnd.nextGaussian();
        }
        perParam.update(params, m.create(g), 1e-2 * (t + 1));
        flatAdam.update(views, flat, m.create(g), 1e-2 * (t + 1));
      }
      float[] expect = Adam.flatten(List.copyOf(params.values())).toFloatArray();
      assertArrayEquals(expect, flat.toFloatArray(), 0f);
      for (double beta : new double[] {0.9, 0.3}) {
        NDArray net = m.create(other);
        NDArray ema = flat.duplicate();
        Map<String, NDArray> e = new LinkedHashMap<>();
        e.put("a", params.get("a").duplicate());
        e.put("b", params.get("b").duplicate());
        Map<String, NDArray> n = new LinkedHashMap<>();
        List<NDArray> nv = Adam.unflatten(net, List.of(new Shape(2, 3), new Shape(4)));
        n.put("a", nv.get(0));
        n.put("b", nv.get(1));
        Ema.update(e, n, beta);
        Ema.update(ema, net, beta);
        assertArrayEquals(
            Adam.flatten(List.copyOf(e.values())).toFloatArray(),
            ema.toFloatArray(),
            0f,
            "beta " + beta);
      }
    }
  }

  @Test
  void gradientGuardReplacesNanAndInf() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray g =
          m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f});
      assertArrayEquals(
          new float[] {0f, 1e5f, -1e5f, 1.5f}, Tensors.nanToNum(g).toFloatArray(), 0f);
    }
  }
}
