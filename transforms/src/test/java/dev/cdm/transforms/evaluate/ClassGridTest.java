package dev.cdm.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cdm.transforms.generate.GeneratedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassGridTest {
  private static GeneratedImage image(long seed, int label) {
    return new GeneratedImage(seed, label, 1, 1, 1, new byte[] {(byte) seed});
  }

  @Test
  void rowCHoldsTheLowestSeedsOfClassCInSeedOrder() {
    // Out of seed order; class 1 has more samples than columns, class 2 none, class 5 is past the
    // rows.
    List<GeneratedImage> images =
        List.of(
            image(9, 1),
            image(4, 0),
            image(2, 1),
            image(7, 1),
            image(3, 1),
            image(8, 5),
            image(1, -1));
    Map<Long, GeneratedImage> cells = ClassGrid.cells(images, 3, 2);
    assertEquals(3, cells.size());
    assertEquals(4, cells.get(0L).seed()); // row 0, column 0
    assertEquals(2, cells.get(2L).seed()); // row 1: seeds 2 and 3 (7 and 9 do not fit)
    assertEquals(3, cells.get(3L).seed());
  }
}
