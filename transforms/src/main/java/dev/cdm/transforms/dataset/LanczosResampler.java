package dev.cdm.transforms.dataset;

import dev.cdm.model.data.Pixels;

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
      throw new IllegalArgumentException(
          "Resize target must be positive: " + outWidth + "x" + outHeight);
    }
    if (outWidth == in.width() && outHeight == in.height()) {
      return in;
    }
    boolean needHorizontal = outWidth != in.width();
    boolean needVertical = outHeight != in.height();
    if (in.channels() == 3) {
      return resizeRgb(in, outWidth, outHeight, needHorizontal, needVertical);
    }
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
              v < 0
                  ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                  : (int) (0.5 + v * (1 << PRECISION_BITS));
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

  // ---- RGB: two channels per multiply ----
  //
  // R and G travel packed in one long, r + g * 2^32: one 64-bit multiply-add then accumulates both
  // sums, sum_r + sum_g * 2^32, exactly (each sum fits in 32 signed bits, as in Pillow's int
  // accumulators, so nothing carries out of the top lane; the low lane's sign is undone on
  // unpacking). B has its own int sum. That is two multiplies per tap instead of three, and the
  // bytes are widened once per source pixel instead of once per tap: the same integer sums as
  // Pillow's, so the same pixels, in about half the time of the per-channel loops without C2.

  /** Pillow's rounding bias, 2^(PRECISION_BITS-1), in both lanes of a packed R/G sum. */
  private static final long PACKED_BIAS =
      (1L << (PRECISION_BITS - 1)) | (1L << (PRECISION_BITS - 1 + 32));

  private static final int BIAS = 1 << (PRECISION_BITS - 1);

  private static Pixels resizeRgb(
      Pixels in, int outWidth, int outHeight, boolean needHorizontal, boolean needVertical) {
    int inWidth = in.width();
    Coefficients vertical = Coefficients.of(in.height(), outHeight);
    long[] rg;
    int[] b;
    int width;
    if (needHorizontal) {
      // Only rows [first, last) feed the vertical pass; PIL resamples just those.
      int first = vertical.min[0];
      int last = vertical.min[outHeight - 1] + vertical.count[outHeight - 1];
      vertical = vertical.shifted(-first);
      int rows = last - first;
      rg = new long[rows * outWidth];
      b = new int[rows * outWidth];
      horizontalRgb(in.data(), inWidth, first, rows, Coefficients.of(inWidth, outWidth), rg, b);
      width = outWidth;
      if (!needVertical) {
        return unpackRgb(rg, b, outWidth, rows);
      }
    } else {
      int n = inWidth * in.height();
      rg = new long[n];
      b = new int[n];
      byte[] src = in.data();
      for (int i = 0, p = 0; i < n; i++, p += 3) {
        rg[i] = (src[p] & 0xff) | ((long) (src[p + 1] & 0xff) << 32);
        b[i] = src[p + 2] & 0xff;
      }
      width = inWidth;
    }
    return verticalRgb(rg, b, width, vertical);
  }

  /**
   * Horizontal pass over rows [first, first + rows) into packed R/G and separate B samples. Two
   * rows at a time: each weight is loaded once for both (C1 does not unroll loops itself).
   */
  private static void horizontalRgb(
      byte[] src, int inWidth, int first, int rows, Coefficients c, long[] rgOut, int[] bOut) {
    int outWidth = c.min.length;
    int ksize = c.ksize;
    int[] min = c.min;
    int[] count = c.count;
    int[] w = c.weights;
    long[] rgA = new long[inWidth];
    int[] bA = new int[inWidth];
    long[] rgB = new long[inWidth];
    int[] bB = new int[inWidth];
    int yy = 0;
    for (; yy + 1 < rows; yy += 2) {
      widenRow(src, (yy + first) * inWidth * 3, inWidth, rgA, bA);
      widenRow(src, (yy + 1 + first) * inWidth * 3, inWidth, rgB, bB);
      int oA = yy * outWidth;
      int oB = oA + outWidth;
      for (int xx = 0; xx < outWidth; xx++) {
        int m = min[xx];
        int end = m + count[xx];
        int k = xx * ksize - m;
        long s01a = PACKED_BIAS;
        int s2a = BIAS;
        long s01b = PACKED_BIAS;
        int s2b = BIAS;
        for (int x = m; x < end; x++) {
          int wt = w[k + x];
          s01a += rgA[x] * wt;
          s2a += bA[x] * wt;
          s01b += rgB[x] * wt;
          s2b += bB[x] * wt;
        }
        rgOut[oA + xx] = clipPacked(s01a);
        bOut[oA + xx] = clip8(s2a);
        rgOut[oB + xx] = clipPacked(s01b);
        bOut[oB + xx] = clip8(s2b);
      }
    }
    if (yy < rows) { // an odd last row
      widenRow(src, (yy + first) * inWidth * 3, inWidth, rgA, bA);
      int o = yy * outWidth;
      for (int xx = 0; xx < outWidth; xx++) {
        int m = min[xx];
        int end = m + count[xx];
        int k = xx * ksize - m;
        long s01 = PACKED_BIAS;
        int s2 = BIAS;
        for (int x = m; x < end; x++) {
          int wt = w[k + x];
          s01 += rgA[x] * wt;
          s2 += bA[x] * wt;
        }
        rgOut[o + xx] = clipPacked(s01);
        bOut[o + xx] = clip8(s2);
      }
    }
  }

  /** One RGB row as packed R/G longs and B ints. */
  private static void widenRow(byte[] src, int p, int width, long[] rg, int[] b) {
    for (int x = 0; x < width; x++, p += 3) {
      rg[x] = (src[p] & 0xff) | ((long) (src[p + 1] & 0xff) << 32);
      b[x] = src[p + 2] & 0xff;
    }
  }

  /** Unpacks a packed R/G sum (see above) and rounds both to 8 bits, packed again. */
  private static long clipPacked(long s01) {
    int s0 = (int) s01;
    int s1 = (int) ((s01 - s0) >> 32);
    return clip8(s0) | ((long) clip8(s1) << 32);
  }

  /** Vertical pass over packed samples {@code width} wide; output as interleaved RGB bytes. */
  private static Pixels verticalRgb(long[] rg, int[] b, int width, Coefficients c) {
    int outHeight = c.min.length;
    int ksize = c.ksize;
    int[] w = c.weights;
    byte[] dst = new byte[width * outHeight * 3];
    int d = 0;
    for (int yy = 0; yy < outHeight; yy++) {
      int n = c.count[yy];
      int k0 = yy * ksize;
      int rowStart = c.min[yy] * width;
      for (int x = 0; x < width; x++) {
        long s01 = PACKED_BIAS;
        int s2 = BIAS;
        for (int t = 0, q = rowStart + x; t < n; t++, q += width) {
          int k = w[k0 + t];
          s01 += rg[q] * k;
          s2 += b[q] * k;
        }
        int s0 = (int) s01;
        int s1 = (int) ((s01 - s0) >> 32);
        dst[d] = (byte) clip8(s0);
        dst[d + 1] = (byte) clip8(s1);
        dst[d + 2] = (byte) clip8(s2);
        d += 3;
      }
    }
    return new Pixels(width, outHeight, 3, dst);
  }

  private static Pixels unpackRgb(long[] rg, int[] b, int width, int height) {
    byte[] dst = new byte[width * height * 3];
    for (int i = 0, d = 0; i < rg.length; i++, d += 3) {
      dst[d] = (byte) rg[i];
      dst[d + 1] = (byte) (rg[i] >>> 32);
      dst[d + 2] = (byte) b[i];
    }
    return new Pixels(width, height, 3, dst);
  }
}
