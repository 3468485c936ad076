package dev.cdm.fid;

import java.util.Arrays;

/**
 * Which images the FID uses, as the reference's {@code ImageFolderDataset(max_size=num,
 * random_seed=seed)}: all of them when there are exactly {@code num}; otherwise the indices {@code
 * 0..total-1} shuffled by {@code np.random.RandomState(seed % 2^31)}, the first {@code num} taken
 * and sorted. Repeats take the next disjoint slices of the same permutation, so repeat 0 is exactly
 * the reference's subset.
 */
public final class ImageSubsets {
  private ImageSubsets() {}

  /** The reference's subset of {@code num} out of {@code total} images, ascending. */
  public static int[] select(int total, int num, long seed) {
    return disjoint(total, num, 1, seed)[0];
  }

  /**
   * {@code repeats} disjoint subsets of {@code num} images each, ascending within each; an error
   * when fewer than {@code num * repeats} images exist (as the reference errs when fewer than
   * {@code num}).
   */
  public static int[][] disjoint(int total, int num, int repeats, long seed) {
    if (num < 2) {
      throw new IllegalArgumentException("--num must be at least 2, got " + num);
    }
    if (repeats < 1) {
      throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
    }
    long needed = (long) num * repeats;
    if (total < needed) {
      throw new IllegalArgumentException(
          "Found "
              + total
              + " images, but expected at least "
              + needed
              + (repeats > 1 ? " (--num=" + num + " x --repeats=" + repeats + ")" : ""));
    }
    int[] order = new int[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    if (total > num) {
      // Python's seed % (1 << 31) is non-negative for negative seeds too.
      new Mt19937(Math.floorMod(seed, 1L << 31)).shuffle(order);
    }
    int[][] subsets = new int[repeats][];
    for (int r = 0; r < repeats; r++) {
      subsets[r] = Arrays.copyOfRange(order, r * num, (r + 1) * num);
      Arrays.sort(subsets[r]);
    }
    return subsets;
  }
}
