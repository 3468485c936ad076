package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN anywhere in statistics is an error with a message, never a result. */
class NonFiniteStatisticsTest {
  @Test
  void nanFeaturesAreAnError() {
    FeatureMoments m = new FeatureMoments(3);
    m.add(new double[] {1, 2, 3});
    m.add(new double[] {1, Double.NaN, 3});
    m.add(new double[] {0, 1, 2});
    IllegalStateException e = assertThrows(IllegalStateException.class, m::toStatistics);
    assertTrue(
        e.getMessage().contains("not finite") && e.getMessage().contains("feature 1"),
        e.getMessage());
  }

  @Test
  void fewerImagesThanFeaturesNamesBothCounts() {
    FeatureMoments m = new FeatureMoments(4);
    for (int i = 0; i < 3; i++) {
      m.add(new double[] {i, 2 * i, 1, -i});
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, m::requireAtLeastDimImages);
    assertTrue(
        e.getMessage().contains("Found 3 images") && e.getMessage().contains("4 features"),
        e.getMessage());
    m.add(new double[] {5, 1, 0, 2});
    m.requireAtLeastDimImages(); // four images for four features: accepted
  }

  @Test
  void statisticsFileWithNanNamesFileAndKey(@TempDir Path tmp) throws IOException {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    arrays.put("mu", NpyArray.ofDoubles(new double[] {0, 1}, 2));
    arrays.put("sigma", NpyArray.ofDoubles(new double[] {1, 0, 0, Double.NaN}, 2, 2));
    Path file = tmp.resolve("stats.npz");
    NpzFile.write(file, arrays);
    IOException e = assertThrows(IOException.class, () -> GaussianStatistics.read(file));
    assertTrue(
        e.getMessage().contains("stats.npz")
            && e.getMessage().contains("'sigma'")
            && e.getMessage().contains("NaN"),
        e.getMessage());
  }

  @Test
  void nonFiniteDistanceIsAnError() {
    GaussianStatistics a =
        GaussianStatistics.of(new double[] {Double.POSITIVE_INFINITY}, new double[] {1});
    GaussianStatistics b = GaussianStatistics.of(new double[] {0}, new double[] {1});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, b));
    assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
  }
}
