package dev.cdm.transforms.fid;

import dev.cdm.transforms.generate.GeneratedImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generated samples as detector input, for streaming FID: each seed's image counts towards the
 * group (repeat) of that seed; seeds not listed are an error, not silently dropped.
 */
public final class GeneratedImageView implements BatchImages.HwcView<GeneratedImage> {
  private static final long serialVersionUID = 1L;

  private final HashMap<Long, Integer> groupOfSeed;

  /** {@code groups.get(g)} lists the seeds of group g. */
  public GeneratedImageView(List<List<Long>> groups) {
    groupOfSeed = new HashMap<>();
    for (int g = 0; g < groups.size(); g++) {
      for (long seed : groups.get(g)) {
        groupOfSeed.put(seed, g);
      }
    }
  }

  @Override
  public int height(GeneratedImage image) {
    return image.height();
  }

  @Override
  public int width(GeneratedImage image) {
    return image.width();
  }

  @Override
  public int channels(GeneratedImage image) {
    return image.channels();
  }

  @Override
  public byte[] pixels(GeneratedImage image) {
    return image.pixels();
  }

  @Override
  public int group(GeneratedImage image) {
    Integer g = groupOfSeed.get(image.seed());
    if (g == null) {
      throw new IllegalStateException(
          "generated an image for seed " + image.seed() + ", which is in no FID group");
    }
    return g;
  }

  /** For tests and logs: the seed to group assignment. */
  Map<Long, Integer> groups() {
    return groupOfSeed;
  }
}
