package dev.cdm.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cdm.model.data.PngCodec;
import dev.cdm.transforms.generate.GeneratedImage;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageGridTest {
  @Test
  void seedsFillTheCellsRowByRowAndMissingCellsStayBlack() throws Exception {
    Map<Long, GeneratedImage> bySeed = new HashMap<>();
    for (long seed = 0; seed < 5; seed++) {
      byte[] px = new byte[2 * 3 * 3];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) (10 * seed + i + 1);
      }
      bySeed.put(seed, new GeneratedImage(seed, 2, 3, 3, px));
    }
    int[] hwc = new int[3];
    byte[] grid = PngCodec.decode(ImageGrid.png(bySeed, 0, 2, 3), hwc);
    assertArrayEquals(new int[] {4, 9, 3}, hwc);
    for (int row = 0; row < 2; row++) {
      for (int col = 0; col < 3; col++) {
        long seed = row * 3 + col;
        for (int y = 0; y < 2; y++) {
          for (int x = 0; x < 3; x++) {
            for (int c = 0; c < 3; c++) {
              int got = grid[(((row * 2 + y) * 9) + col * 3 + x) * 3 + c] & 0xff;
              int want = seed < 5 ? (int) (10 * seed + (y * 3 + x) * 3 + c + 1) : 0;
              assertEquals(want, got, "seed " + seed + " y " + y + " x " + x + " c " + c);
            }
          }
        }
      }
    }
  }
}
