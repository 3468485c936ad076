package dev.cdm.transforms.evaluate;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.transforms.generate.GeneratedImage;
import java.util.Map;

/**
 * A grid of samples as one PNG: seed {@code first + row * cols + col} at that cell, so grids of
 * different snapshots (same seeds) are comparable cell by cell. Missing seeds stay black.
 */
public final class ImageGrid {
  private ImageGrid() {}

  /** PNG of a {@code rows x cols} grid of the images by seed. */
  public static byte[] png(Map<Long, GeneratedImage> bySeed, long first, int rows, int cols) {
    if (bySeed.isEmpty()) {
      throw new IllegalArgumentException("no images for the grid");
    }
    GeneratedImage any = bySeed.values().iterator().next();
    int h = any.height();
    int w = any.width();
    int c = any.channels();
    int gridW = cols * w;
    byte[] grid = new byte[rows * h * gridW * c];
    for (int r = 0; r < rows; r++) {
      for (int col = 0; col < cols; col++) {
        GeneratedImage img = bySeed.get(first + (long) r * cols + col);
        if (img == null) {
          continue;
        }
        if (img.height() != h || img.width() != w || img.channels() != c) {
          throw new IllegalArgumentException(
              "grid images of different shapes (seed " + img.seed() + ")");
        }
        byte[] px = img.pixels();
        for (int y = 0; y < h; y++) {
          System.arraycopy(px, y * w * c, grid, ((r * h + y) * gridW + col * w) * c, w * c);
        }
      }
    }
    return PngCodec.encodeCompressed(new Pixels(gridW, rows * h, c, grid));
  }
}
