package dev.cdm.fid;

/**
 * The 32-bit Mersenne Twister as NumPy's legacy {@code np.random.RandomState(seed)} seeds and draws
 * it, so that image subsets chosen by a seed are the reference's subsets.
 */
public final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int index;

  /** {@code RandomState(seed)} for an integer seed in [0, 2^32): Knuth's initialisation. */
  public Mt19937(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("seed must be in [0, 2^32), got " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  /** The next 32 random bits, as an unsigned value. */
  public long nextUint32() {
    if (index >= N) {
      regenerate();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xffffffffL;
  }

  private void regenerate() {
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      int next = mt[(i + M) % N] ^ (y >>> 1);
      if ((y & 1) != 0) {
        next ^= 0x9908b0df;
      }
      mt[i] = next;
    }
    index = 0;
  }

  /**
   * A uniform integer in [0, max] by masked rejection, as NumPy's {@code random_interval} (the draw
   * {@code shuffle} uses); {@code max} below 2^32.
   */
  public long interval(long max) {
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = nextUint32() & mask;
    } while (value > max);
    return value;
  }

  /**
   * Shuffles in place as {@code RandomState.shuffle} does a 1-D array (Fisher-Yates from the end).
   */
  public void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = (int) interval(i);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
