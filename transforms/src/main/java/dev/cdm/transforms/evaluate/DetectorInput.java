package dev.cdm.transforms.evaluate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.transforms.fid.BatchImages;
import dev.cdm.transforms.generate.GeneratedImage;
import java.nio.ByteBuffer;
import java.util.List;

/** Generated images as the detectors take them: one uint8 NCHW batch. */
final class DetectorInput {
  private DetectorInput() {}

  /**
   * The images (HWC pixels, all of one shape) stacked into a uint8 [N, C, H, W] array on {@code
   * manager}; images of another shape than the first are an error naming the seed.
   */
  static NDArray nchw(NDManager manager, List<GeneratedImage> images) {
    GeneratedImage first = images.get(0);
    int h = first.height();
    int w = first.width();
    int c = first.channels();
    int per = h * w * c;
    byte[] chw = new byte[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      GeneratedImage g = images.get(i);
      if (g.height() != h || g.width() != w || g.channels() != c) {
        throw new IllegalArgumentException(
            "images of different shapes in one evaluation: seed "
                + g.seed()
                + " is "
                + g.channels()
                + "x"
                + g.height()
                + "x"
                + g.width());
      }
      System.arraycopy(BatchImages.toChw(g.pixels(), h, w, c), 0, chw, i * per, per);
    }
    return manager.create(ByteBuffer.wrap(chw), new Shape(images.size(), c, h, w), DataType.UINT8);
  }
}
