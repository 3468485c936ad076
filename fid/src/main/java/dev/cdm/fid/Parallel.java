package dev.cdm.fid;

import java.util.stream.IntStream;

/**
 * Splits the independent rows of the dense float64 kernels (Cholesky, Householder) over the cores;
 * small problems stay on the calling thread, where fork/join overhead would dominate.
 */
final class Parallel {
  /** Below this many multiply-adds a loop runs on one thread. */
  private static final long MIN_WORK = 1L << 16;

  private Parallel() {}

  interface Range {
    void run(int lo, int hi);
  }

  interface Chunk {
    void run(int chunk, int lo, int hi);
  }

  /** How many chunks a loop of {@code work} multiply-adds is cut into. */
  static int chunks(long work) {
    if (work < MIN_WORK) {
      return 1;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    return (int) Math.max(1, Math.min(4L * cores, work / MIN_WORK));
  }

  static void forRange(int from, int to, Range body, long work) {
    forChunks(from, to, chunks(work), (c, lo, hi) -> body.run(lo, hi));
  }

  /**
   * Runs {@code body} on {@code chunks} contiguous pieces of [from, to). Triangular loops put more
   * work in the first rows, so pieces are cut with equal areas of the triangle, not equal lengths;
   * for rectangular loops this only shifts the boundaries slightly.
   */
  static void forChunks(int from, int to, int chunks, Chunk body) {
    int n = to - from;
    if (chunks <= 1 || n < 2) {
      body.run(0, from, to);
      return;
    }
    int c = Math.min(chunks, n);
    int[] bounds = new int[c + 1];
    for (int k = 0; k <= c; k++) {
      // Row r of a triangle of n rows costs n - r; equal area: 1 - (1 - r/n)^2 = k/c.
      double frac = 1 - Math.sqrt(1 - (double) k / c);
      bounds[k] = from + (int) Math.round(frac * n);
    }
    bounds[c] = to;
    IntStream.range(0, c)
        .parallel()
        .forEach(
            k -> {
              if (bounds[k + 1] > bounds[k]) {
                body.run(k, bounds[k], bounds[k + 1]);
              }
            });
  }
}
