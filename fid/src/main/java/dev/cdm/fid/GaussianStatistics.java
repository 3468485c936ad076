package dev.cdm.fid;

import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Gaussian fitted to detector features: {@code mu} [d] and {@code sigma} [d, d], float64, as
 * the reference's statistics files ({@code np.savez(dest, mu=mu, sigma=sigma)}) hold them.
 */
public final class GaussianStatistics {
  private final double[] mu;
  private final double[] sigma; // row-major d*d

  private GaussianStatistics(double[] mu, double[] sigma) {
    this.mu = mu;
    this.sigma = sigma;
  }

  /** Wraps {@code mu} [d] and row-major {@code sigma} [d*d] (no copy). */
  public static GaussianStatistics of(double[] mu, double[] sigma) {
    if ((long) mu.length * mu.length != sigma.length) {
      throw new IllegalArgumentException(
          "sigma has " + sigma.length + " values, expected " + mu.length + "x" + mu.length);
    }
    return new GaussianStatistics(mu, sigma);
  }

  public int dim() {
    return mu.length;
  }

  /** The mean (not a copy). */
  public double[] mu() {
    return mu;
  }

  /** The covariance, row-major (not a copy). */
  public double[] sigma() {
    return sigma;
  }

  /** Reads a statistics file; errors name the file, the key and the expected shape. */
  public static GaussianStatistics read(Path path) throws IOException {
    return from(NpzFile.read(path));
  }

  /** Reads statistics from a stream ({@code source} names it in errors). */
  public static GaussianStatistics read(InputStream in, String source) throws IOException {
    return from(NpzFile.read(in, source));
  }

  /** Takes {@code mu} and {@code sigma} from an archive, checking their shapes. */
  public static GaussianStatistics from(NpzFile npz) throws IOException {
    NpyArray mu = npz.get("mu");
    NpyArray sigma = npz.get("sigma");
    long[] ms = mu.shape();
    if (ms.length != 1) {
      throw new IOException(
          npz.source() + ": key 'mu' has shape " + Arrays.toString(ms) + ", expected [d]");
    }
    long d = ms[0];
    long[] ss = sigma.shape();
    if (ss.length != 2 || ss[0] != d || ss[1] != d) {
      throw new IOException(
          npz.source()
              + ": key 'sigma' has shape "
              + Arrays.toString(ss)
              + ", expected ["
              + d
              + ", "
              + d
              + "] to match 'mu' of shape ["
              + d
              + "]");
    }
    double[] m = mu.toDoubles();
    double[] s = sigma.toDoubles();
    requireFinite(m, npz.source(), "mu");
    requireFinite(s, npz.source(), "sigma");
    return new GaussianStatistics(m, s);
  }

  private static void requireFinite(double[] values, String source, String key) throws IOException {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IOException(
            source
                + ": key '"
                + key
                + "' holds "
                + values[i]
                + " at index "
                + i
                + " (statistics must be finite)");
      }
    }
  }

  /** Writes {@code mu} and {@code sigma} as float64, atomically (temporary name, then rename). */
  public void write(Path path) throws IOException {
    NpzFile.write(path, arrays());
  }

  /**
   * The bytes of the {@code .npz} file {@link #write} writes (for writers of other file systems).
   */
  public byte[] toNpzBytes() throws IOException {
    return NpzFile.toBytes(arrays());
  }

  private Map<String, NpyArray> arrays() {
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    arrays.put("mu", NpyArray.ofDoubles(mu, mu.length));
    arrays.put("sigma", NpyArray.ofDoubles(sigma, mu.length, mu.length));
    return arrays;
  }
}
