package dev.cdm.model.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.loss.EngineRandomSource;
import dev.cdm.model.loss.ReplayRandomSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AugmentPipeTest {
  static final int N = 3;
  static final int C = 3;
  static final int R = 16;
  NDManager m;

  @BeforeEach
  void setUp() {
    m = NDManager.newBaseManager();
    Engine.getInstance().setRandomSeed(5);
  }

  @AfterEach
  void tearDown() {
    m.close();
  }

  /** A smooth image (low frequencies only), so that the band-limited resampling is near exact. */
  float[] smooth() {
    float[] v = new float[N * C * R * R];
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) {
        for (int y = 0; y < R; y++) {
          for (int x = 0; x < R; x++) {
            v[((n * C + c) * R + y) * R + x] =
                (float)
                    (0.5 * Math.sin(0.3 * x + 0.2 * y + n + c)
                        + 0.3 * Math.cos(0.25 * y - 0.1 * x * c));
          }
        }
      }
    }
    return v;
  }

  NDArray images() {
    return m.create(smooth(), new Shape(N, C, R, R));
  }

  static double maxAbsInterior(float[] a, float[] b, int border) {
    double worst = 0;
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) {
        for (int y = border; y < R - border; y++) {
          for (int x = border; x < R - border; x++) {
            int i = ((n * C + c) * R + y) * R + x;
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
          }
        }
      }
    }
    return worst;
  }

  @Test
  void probabilityZeroGivesZeroLabelsAndNearIdentity() {
    AugmentPipe pipe = AugmentPipe.training(0);
    assertEquals(9, pipe.labelDim());
    Augmentation.Augmented a = pipe.apply(images(), EngineRandomSource.INSTANCE);
    assertEquals(new Shape(N, 9), a.labels().getShape());
    for (float l : a.labels().toFloatArray()) {
      assertEquals(0f, l);
    }
    assertEquals(new Shape(N, C, R, R), a.images().getShape());
    // The reference still runs the up/resample/down chain at p=0: identity up to the filters.
    double err = maxAbsInterior(a.images().toFloatArray(), smooth(), 2);
    assertTrue(err < 2e-2, "p=0 should be near identity, max error " + err);
  }

  @Test
  void xflipFlipsExactlyTheLabelledImages() {
    AugmentPipe pipe = AugmentPipe.builder().p(1).xflip(1e8).build();
    assertEquals(1, pipe.labelDim());
    NDArray x = images();
    Augmentation.Augmented a = pipe.apply(x, EngineRandomSource.INSTANCE);
    float[] labels = a.labels().toFloatArray();
    for (int n = 0; n < N; n++) {
      NDArray expect = labels[n] == 1f ? x.get(n).flip(2) : x.get(n);
      assertTrue(labels[n] == 0f || labels[n] == 1f);
      assertArrayEquals(expect.toFloatArray(), a.images().get(n).toFloatArray(), 0f);
    }
  }

  @Test
  void replayedTranslationShiftsByOnePixel() {
    AugmentPipe pipe = AugmentPipe.builder().p(1).translateFrac(1).build();
    float w = 1f / (R * 0.125f); // tx = w * W * translate_frac_std = 1 pixel
    NDArray draw = m.create(new float[] {w, w, w, 0, 0, 0}, new Shape(2, N));
    NDArray gate = m.zeros(new Shape(1, N));
    Augmentation.Augmented a = pipe.apply(images(), new ReplayRandomSource(List.of(draw, gate)));
    assertEquals(new Shape(N, 2), a.labels().getShape());
    assertEquals(w, a.labels().get(0, 0).getFloat(), 0f);
    float[] src = smooth();
    float[] expect = new float[src.length];
    for (int i = 0; i < src.length; i++) {
      int x = i % R;
      expect[i] = x == 0 ? src[i] : src[i - 1]; // out(x) = in(x - 1)
    }
    double err = maxAbsInterior(a.images().toFloatArray(), expect, 2);
    assertTrue(err < 2e-2, "translation by one pixel, max error " + err);
  }

  @Test
  void replayedQuarterTurnRotates() {
    AugmentPipe pipe = AugmentPipe.builder().p(1).rotateFrac(1).build();
    NDArray u = m.full(new Shape(N), 0.75f); // (u * 2 - 1) * pi = pi / 2
    NDArray gate = m.zeros(new Shape(N));
    Augmentation.Augmented a = pipe.apply(images(), new ReplayRandomSource(List.of(u, gate)));
    float[] labels = a.labels().toFloatArray(); // [cos - 1, sin]
    assertEquals(-1f, labels[0], 1e-6f);
    assertEquals(1f, labels[1], 1e-6f);
    float[] src = smooth();
    float[] expect = new float[src.length];
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) {
        for (int r = 0; r < R; r++) {
          for (int col = 0; col < R; col++) {
            // out(x, y) = in(-y, x) in centred coordinates: out[r][col] = in[col][R - 1 - r].
            expect[((n * C + c) * R + r) * R + col] =
                src[((n * C + c) * R + col) * R + (R - 1 - r)];
          }
        }
      }
    }
    double err = maxAbsInterior(a.images().toFloatArray(), expect, 2);
    assertTrue(err < 4e-2, "quarter turn, max error " + err);
  }

  @Test
  void drawsAreConsumedInTheReferenceOrder() {
    // xflip, yflip: randint + rand each; scale: randn + rand; rotate: rand + rand;
    // aniso: randn + 3 rand; translate: randn [2,N] + rand [1,N] -> 14 draws.
    AugmentPipe pipe = AugmentPipe.training(0.5);
    Shape col = new Shape(N, 1, 1, 1);
    Shape row = new Shape(N);
    List<NDArray> draws =
        List.of(
            m.ones(col, DataType.INT64),
            m.zeros(col),
            m.zeros(col, DataType.INT64),
            m.zeros(col),
            m.ones(row),
            m.ones(row),
            m.full(row, 0.75f),
            m.ones(row),
            m.zeros(row),
            m.zeros(row),
            m.ones(row),
            m.ones(row),
            m.zeros(new Shape(2, N)),
            m.ones(new Shape(1, N)));
    ReplayRandomSource replay = new ReplayRandomSource(draws);
    Augmentation.Augmented a = pipe.apply(images(), replay);
    assertEquals(14, replay.consumed());
    // Only the x-flip passed its gate: labels [1, 0, 0, 0, 0, 0, 0, 0, 0].
    float[] l = a.labels().get(0).toFloatArray();
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0}, l, 0f);
  }
}
