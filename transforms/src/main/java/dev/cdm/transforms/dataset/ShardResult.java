package dev.cdm.transforms.dataset;

import java.io.Serializable;
import java.util.List;

/**
 * What a worker reports about its shard: where its records are and what the final writer must check
 * across shards (the first image's attributes, the first image that differs from them), so that
 * validation and errors are those of a sequential run without collecting images.
 */
public final class ShardResult implements Serializable {
  private static final long serialVersionUID = 1L;

  public final ShardRange range;
  public final String file;
  public final long images;
  public final long nullLabels;
  public final long skippedByTransform;
  public final long bad;

  /** Up to {@link ConvertShardFn#MAX_BAD_NAMES} bad inputs with their reasons. */
  public final List<String> badExamples;

  /** Index, input name and attributes of the shard's first image; index -1 when it has none. */
  public final long firstIndex;

  public final String firstName;
  public final ImageAttrs firstAttrs;

  /** The first image whose attributes differ from the shard's first; index -1 when none. */
  public final long mismatchIndex;

  public final String mismatchName;
  public final ImageAttrs mismatchAttrs;

  ShardResult(
      ShardRange range,
      String file,
      long images,
      long nullLabels,
      long skippedByTransform,
      long bad,
      List<String> badExamples,
      long firstIndex,
      String firstName,
      ImageAttrs firstAttrs,
      long mismatchIndex,
      String mismatchName,
      ImageAttrs mismatchAttrs) {
    this.range = range;
    this.file = file;
    this.images = images;
    this.nullLabels = nullLabels;
    this.skippedByTransform = skippedByTransform;
    this.bad = bad;
    this.badExamples = List.copyOf(badExamples);
    this.firstIndex = firstIndex;
    this.firstName = firstName;
    this.firstAttrs = firstAttrs;
    this.mismatchIndex = mismatchIndex;
    this.mismatchName = mismatchName;
    this.mismatchAttrs = mismatchAttrs;
  }
}
