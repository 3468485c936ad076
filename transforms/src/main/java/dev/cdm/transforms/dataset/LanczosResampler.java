package dev.cdm.transforms.dataset;

/**
 * PIL's {@code Image.resize(size, LANCZOS)} for 8-bit images, reproduced operation for operation
 * (Pillow's {@code libImaging/Resample.c}) so that output pixels equal the reference's.
 *
 * <p>PIL resamples separably: a horizontal pass over only the source rows the vertical pass will
 * read, then a vertical pass; a pass is skipped when that dimension keeps its size. Each output
 * sample is a 3-lobe Lanczos window whose support widens by the downscale factor; the window
 * weights are normalised in double precision, then rounded to 22-bit fixed point, and every pass
 * rounds and clips its result back to 8 bits. Matching that rounding, not just the filter, is what
 * makes the outputs bit-identical.
 */
public final class LanczosResampler {
  /** Pillow: 32 bits minus 8 for the result minus 2 of headroom for negative lobes. */
  static final int PRECISION_BITS = 32 - 8 - 2;

  private static final double SUPPORT = 3.0;

  private LanczosResampler() {}

  /** Resizes to {@code outWidth x outHeight}; the same size returns the input, as PIL copies it. */
  public static Pixels resize(Pixels in, int outWidth, int outHeight) {
    if (outWidth <= 0 || outHeight <= 0) {
      throw new IllegalArgumentException("Resize target must be positive: " + outWidth + "x" + outHeight);
    }
    if (outWidth == in.width() && outHeight == in.height()) {
      return in;
    }
    boolean needHorizontal = outWidth != in.width();
    boolean needVertical = outHeight != in.height();
    Coefficients vertical = Coefficients.of(in.height(), outHeight);
    Pixels current = in;
    if (needHorizontal) {
      // Only rows [first, last) feed the vertical pass; PIL resamples just those.
      int first = vertical.min[0];
      int last = vertical.min[outHeight - 1] + vertical.count[outHeight - 1];
      vertical = vertical.shifted(-first);
      current = horizontal(in, first, last - first, Coefficients.of(in.width(), outWidth));
    }
    if (needVertical) {
      current = vertical(current, vertical);
    }
    return current;
  }

  /** Per output sample: first source index, number of taps and fixed-point weights. */
  static final class Coefficients {
    final int[] min;
    final int[] count;
    final int[] weights; // [out * ksize + tap]
    final int ksize;

    private Coefficients(int[] min, int[] count, int[] weights, int ksize) {
      this.min = min;
      this.count = count;
      this.weights = weights;
      this.ksize = ksize;
    }

    /** The same taps reading rows {@code delta} further on (PIL's shift for the vertical pass). */
    Coefficients shifted(int delta) {
      int[] m = min.clone();
      for (int i = 0; i < m.length; i++) {
        m[i] += delta;
      }
      return new Coefficients(m, count, weights, ksize);
    }

    private static final java.util.concurrent.ConcurrentHashMap<Long, Coefficients> CACHE =
        new java.util.concurrent.ConcurrentHashMap<>();

    /** Coefficients of a size pair, cached: datasets resize many images between the same sizes. */
    static Coefficients of(int inSize, int outSize) {
      long key = ((long) inSize << 32) | outSize;
      Coefficients c = CACHE.get(key);
      if (c == null) {
        c = compute(inSize, outSize);
        if (CACHE.size() < 4096) {
          CACHE.put(key, c);
        }
      }
      return c;
    }

    /** Pillow's precompute_coeffs over the box [0, inSize) followed by normalize_coeffs_8bpc. */
    private static Coefficients compute(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = SUPPORT * filterScale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      int[] min = new int[outSize];
      int[] count = new int[outSize];
      int[] weights = new int[outSize * ksize];
      double[] k = new double[ksize];
      double ss = 1.0 / filterScale;
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        // (int) truncates toward zero as C's cast does; negative values are clamped anyway.
        int xmin = (int) (center - support + 0.5);
        if (xmin < 0) {
          xmin = 0;
        }
        int xmax = (int) (center + support + 0.5);
        if (xmax > inSize) {
          xmax = inSize;
        }
        xmax -= xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; x++) {
          double w = lanczos(((x + xmin) - center + 0.5) * ss);
          k[x] = w;
          ww += w;
        }
        for (int x = 0; x < xmax; x++) {
          double v = ww != 0.0 ? k[x] / ww : k[x];
          weights[xx * ksize + x] =
              v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
        }
        min[xx] = xmin;
        count[xx] = xmax;
      }
      return new Coefficients(min, count, weights, ksize);
    }
  }

  static double sinc(double x) {
    if (x == 0.0) {
      return 1.0;
    }
    x = x * Math.PI;
    return Math.sin(x) / x;
  }

  /** Pillow's truncated sinc: sinc(x) * sinc(x / 3) on [-3, 3). */
  static double lanczos(double x) {
    if (-3.0 <= x && x < 3.0) {
      return sinc(x) * sinc(x / 3);
    }
    return 0.0;
  }

  /** Rounds a fixed-point sum (which already holds the +0.5 bias) to 8 bits with clipping. */
  private static int clip8(int sum) {
    int v = sum >> PRECISION_BITS; // arithmetic shift, as Pillow's lookup table index
    return v < 0 ? 0 : (v > 255 ? 255 : v);
  }

  private static Pixels horizontal(Pixels in, int rowOffset, int rows, Coefficients c) {
    int outWidth = c.min.length;
    int ch = in.channels();
    int inWidth = in.width();
    byte[] src = in.data();
    byte[] dst = new byte[outWidth * rows * ch];
    int[] w = c.weights;
    for (int yy = 0; yy < rows; yy++) {
      int srcRow = (yy + rowOffset) * inWidth * ch;
      int dstRow = yy * outWidth * ch;
      if (ch == 3) {
        // RGB: the three sums share the taps, as Pillow's per-pixel loop does.
        for (int xx = 0; xx < outWidth; xx++) {
          int n = c.count[xx];
          int kBase = xx * c.ksize;
          int s0 = 1 << (PRECISION_BITS - 1);
          int s1 = s0;
          int s2 = s0;
          int p = srcRow + c.min[xx] * 3;
          for (int x = 0; x < n; x++, p += 3) {
            int k = w[kBase + x];
            s0 += (src[p] & 0xff) * k;
            s1 += (src[p + 1] & 0xff) * k;
            s2 += (src[p + 2] & 0xff) * k;
          }
          int d = dstRow + xx * 3;
          dst[d] = (byte) clip8(s0);
          dst[d + 1] = (byte) clip8(s1);
          dst[d + 2] = (byte) clip8(s2);
        }
        continue;
      }
      for (int xx = 0; xx < outWidth; xx++) {
        int xmin = c.min[xx];
        int n = c.count[xx];
        int kBase = xx * c.ksize;
        for (int b = 0; b < ch; b++) {
          int ss = 1 << (PRECISION_BITS - 1);
          int p = srcRow + xmin * ch + b;
          for (int x = 0; x < n; x++, p += ch) {
            ss += (src[p] & 0xff) * w[kBase + x];
          }
          dst[dstRow + xx * ch + b] = (byte) clip8(ss);
        }
      }
    }
    return new Pixels(outWidth, rows, ch, dst);
  }

  private static Pixels vertical(Pixels in, Coefficients c) {
    int outHeight = c.min.length;
    int ch = in.channels();
    int rowBytes = in.width() * ch;
    byte[] src = in.data();
    byte[] dst = new byte[rowBytes * outHeight];
    int[] w = c.weights;
    int[] acc = new int[rowBytes];
    for (int yy = 0; yy < outHeight; yy++) {
      int ymin = c.min[yy];
      int n = c.count[yy];
      int kBase = yy * c.ksize;
      java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
      // Row-major accumulation: same integer sums as Pillow's per-pixel loop, cache friendly.
      for (int y = 0; y < n; y++) {
        int k = w[kBase + y];
        int p = (y + ymin) * rowBytes;
        for (int i = 0; i < rowBytes; i++) {
          acc[i] += (src[p + i] & 0xff) * k;
        }
      }
      int d = yy * rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        dst[d + i] = (byte) clip8(acc[i]);
      }
    }
    return new Pixels(in.width(), outHeight, ch, dst);
  }
}
