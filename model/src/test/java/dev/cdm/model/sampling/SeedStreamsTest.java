package dev.cdm.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SeedStreamsTest {

  @ParameterizedTest
  @ValueSource(strings = {"ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"})
  void seedLatentsAndLabelsEqualTheReferenceGenerators(String name) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> fx = Npz.load(m, "/fixtures/" + name + ".npz");
      long[] seeds = fx.get("seeds").toType(DataType.INT64, false).toLongArray();
      NDArray expected = fx.get("seed_latents");
      Shape chw = expected.getShape().slice(1);
      int labelDim = fx.containsKey("seed_label_idx") ? 10 : 0;
      try (SeedStreams streams = SeedStreams.draw(m, seeds, chw, labelDim, 2, DataType.FLOAT64)) {
        // Bit-exact: the same generator, the same kernel.
        assertArrayEquals(expected.toFloatArray(), streams.latents().toFloatArray(), 0f);
        if (labelDim > 0) {
          long[] idx = fx.get("seed_label_idx").toType(DataType.INT64, false).toLongArray();
          assertArrayEquals(idx, streams.labelIndices());
          NDArray oneHot = streams.classLabels(m, labelDim, -1);
          for (int b = 0; b < seeds.length; b++) {
            assertEquals(1f, oneHot.getFloat(b, idx[b]));
          }
          assertEquals(seeds.length, (int) oneHot.sum().getFloat());
        } else {
          assertNull(streams.labelIndices());
        }
      }
    }
  }

  @Test
  void streamsDoNotDependOnBatchCompanionsOrOrder() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape chw = new Shape(1, 4, 4);
      SeedStreams ab = SeedStreams.draw(m, new long[] {5, 7}, chw, 10, 3, DataType.FLOAT64);
      SeedStreams b = SeedStreams.draw(m, new long[] {7}, chw, 10, 3, DataType.FLOAT64);
      assertArrayEquals(ab.latents().get(1).toFloatArray(), b.latents().get(0).toFloatArray(), 0f);
      assertEquals(ab.labelIndices()[1], b.labelIndices()[0]);
      NDArray like2 = m.zeros(new Shape(2, 1, 4, 4), DataType.FLOAT64);
      NDArray like1 = m.zeros(new Shape(1, 1, 4, 4), DataType.FLOAT64);
      for (int k = 0; k < 3; k++) {
        assertArrayEquals(
            ab.randnLike(like2).get(1).toDoubleArray(),
            b.randnLike(like1).get(0).toDoubleArray(),
            0d);
      }
      // A sampler asking for more draws than planned is a bug, not silently fresh noise.
      assertThrows(IllegalStateException.class, () -> b.randnLike(like1));
    }
  }

  @Test
  void seedsAreTakenModulo2To32AsGenerateDotPy() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape chw = new Shape(1, 4, 4);
      SeedStreams a =
          SeedStreams.draw(m, new long[] {3L + (1L << 32)}, chw, 0, 0, DataType.FLOAT64);
      SeedStreams b = SeedStreams.draw(m, new long[] {3L}, chw, 0, 0, DataType.FLOAT64);
      assertArrayEquals(b.latents().toFloatArray(), a.latents().toFloatArray(), 0f);
    }
  }

  @Test
  void seedListSyntax() {
    assertEquals(List.of(1L, 2L, 5L, 6L, 7L, 8L, 9L, 10L), SeedList.parse("1,2,5-10"));
    assertEquals(List.of(0L, 1L, 2L), SeedList.parse("0-2"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SeedList.parse("1,x", "--seeds"));
    assertEquals(true, e.getMessage().startsWith("--seeds"));
  }

  @Test
  void seedBatchesSplitAsTensorSplit() {
    // generate.py: ceil(10 / 4) = 3 batches; tensor_split gives the first 10 % 3 one more seed.
    assertEquals(
        List.of(List.of(7L, 8L, 9L, 10L), List.of(11L, 0L, 1L), List.of(2L, 2L, 3L)),
        SeedList.batches(List.of(7L, 8L, 9L, 10L, 11L, 0L, 1L, 2L, 2L, 3L), 4));
    assertEquals(
        List.of(List.of(0L, 1L), List.of(2L, 3L)), SeedList.batches(SeedList.parse("0-3"), 2));
    assertEquals(List.of(), SeedList.batches(List.of(), 4));
    assertThrows(IllegalArgumentException.class, () -> SeedList.batches(List.of(1L), 0));
  }
}
