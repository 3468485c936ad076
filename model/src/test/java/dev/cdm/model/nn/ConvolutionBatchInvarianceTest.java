package dev.cdm.model.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.cdm.engine.EngineDefaults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An image's convolution must not depend on the other images of its batch. The Maven CPU libtorch
 * (oneDNN 3.7.1) broke this on AMD EPYC machines reporting AVX-512: a 3x3 convolution with 24 input
 * channels on 12x12 to 24x24 maps gave differences of 1.3-1.7 on outputs of about 6 between batch 1
 * and batch 2+ (other channel counts that are not multiples of 16 too, sometimes NaN), which made
 * FID statistics and training gradients NaN. {@link EngineDefaults} caps oneDNN's instruction set
 * on such machines before the engine starts; run with {@code -Dcdm.cpuIsa=native} to see this sweep
 * fail there.
 */
class ConvolutionBatchInvarianceTest {
  private static final int[] CHANNELS = {3, 16, 24, 40, 48, 72, 128, 200};
  private static final int[] SIZES = {8, 12, 16, 24, 32};
  private static final int BATCH = 5;

  @Test
  void eachImageOfABatchConvolvesAsItDoesAlone() {
    List<String> wrong = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      for (int cin : CHANNELS) {
        for (int size : SIZES) {
          for (int[] kernel : new int[][] {{3, 1}, {1, 0}, {5, 2}}) {
            int k = kernel[0];
            int pad = kernel[1];
            int cout = cin == 24 ? 48 : cin;
            NDArray x = m.randomNormal(new Shape(BATCH, cin, size, size));
            NDArray w = m.randomNormal(new Shape(cout, cin, k, k)).div(Math.sqrt(cin * k * k));
            NDArray batch = Ops.conv2d(x, w, null, 1, pad, 1);
            for (int i = 0; i < BATCH; i++) {
              NDArray one = Ops.conv2d(x.get(new NDIndex("{}:{}", i, i + 1)), w, null, 1, pad, 1);
              NDArray inBatch = batch.get(new NDIndex("{}:{}", i, i + 1));
              float diff = inBatch.sub(one).abs().max().getFloat();
              float scale = Math.max(1f, one.abs().max().getFloat());
              if (!(diff <= 1e-4f * scale)) {
                wrong.add(
                    String.format(
                        "%dx%d conv %d->%d on %dx%d, image %d: max diff %.3g (scale %.3g)",
                        k, k, cin, cout, size, size, i, diff, scale));
                break;
              }
            }
          }
        }
      }
    }
    assertTrue(wrong.isEmpty(), "batch-dependent convolutions:\n" + String.join("\n", wrong));
  }
}
