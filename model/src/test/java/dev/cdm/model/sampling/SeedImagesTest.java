package dev.cdm.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.precond.Precond;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeedImagesTest {
  @Test
  void classesAreTheSeedsDrawnLabelsOrTheForcedClass() throws Exception {
    long[] seeds = {0, 1, 2, 3, 4, 5, 6, 7};
    try (NDManager m = NDManager.newBaseManager();
        Precond net = FixtureNetworks.load("ddpmpp-edm-cond", m)) {
      Sampler sampler = EdmSampler.builder().numSteps(2).build();
      long[] drawn;
      Shape chw = new Shape(net.imgChannels(), net.imgResolution(), net.imgResolution());
      try (SeedStreams s = SeedStreams.draw(m, seeds, chw, net.labelDim(), 0, DataType.FLOAT64)) {
        drawn = s.labelIndices();
      }
      SeedImages.HwcBatch free = SeedImages.sampleHwc(net, sampler, m, seeds, -1);
      assertArrayEquals(Arrays.stream(drawn).mapToInt(l -> (int) l).toArray(), free.classes());
      assertArrayEquals(SeedImages.sampleHwcBytes(net, sampler, m, seeds, -1), free.pixels());
      int[] three = new int[seeds.length];
      Arrays.fill(three, 3);
      assertArrayEquals(three, SeedImages.sampleHwc(net, sampler, m, seeds, 3).classes());
    }
  }
}
