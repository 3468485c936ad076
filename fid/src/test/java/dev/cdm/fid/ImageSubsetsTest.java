package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageSubsetsTest {
  @Test
  void mersenneTwisterMatchesReferenceStreams() {
    // The reference MT19937 output for the default seed 5489 (first draw), as C's genrand_int32.
    assertEquals(3499211612L, new Mt19937(5489).nextUint32());
    // np.random.RandomState(0).random_sample() == 0.5488135039273248 (53-bit from two draws).
    Mt19937 mt = new Mt19937(0);
    long a = mt.nextUint32() >>> 5;
    long b = mt.nextUint32() >>> 6;
    assertEquals(0.5488135039273248, (a * 67108864.0 + b) / 9007199254740992.0, 0);
  }

  @Test
  void shuffleMatchesNumpyPermutation() {
    // np.random.RandomState(0).permutation(10) == [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].
    int[] v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    new Mt19937(0).shuffle(v);
    assertArrayEquals(new int[] {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, v);
  }

  @Test
  void selectsAsTheReferenceDataset() {
    // max_size=4 of 10 with seed 0: the first four of the permutation, sorted.
    assertArrayEquals(new int[] {2, 4, 8, 9}, ImageSubsets.select(10, 4, 0));
    // Exactly num images: all of them, in order (no shuffle).
    assertArrayEquals(new int[] {0, 1, 2, 3}, ImageSubsets.select(4, 4, 123));
    // Seeds are taken modulo 2^31 as the reference does.
    assertArrayEquals(
        ImageSubsets.select(100, 10, 5), ImageSubsets.select(100, 10, 5 + (1L << 31)));
  }

  @Test
  void repeatsAreDisjointAndFirstIsTheReferenceSubset() {
    int[][] s = ImageSubsets.disjoint(100, 30, 3, 7);
    assertArrayEquals(ImageSubsets.select(100, 30, 7), s[0]);
    Set<Integer> seen = new HashSet<>();
    for (int[] sub : s) {
      assertEquals(30, sub.length);
      for (int i : sub) {
        assertTrue(seen.add(i), "index " + i + " used twice");
      }
    }
  }

  @Test
  void tooFewImagesIsAnError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageSubsets.select(5, 10, 0));
    assertTrue(e.getMessage().contains("Found 5 images"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ImageSubsets.disjoint(50, 20, 3, 0));
  }
}
