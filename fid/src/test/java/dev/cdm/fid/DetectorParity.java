package dev.cdm.fid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Detector features through DJL against PyTorch's float64 features of the fixtures of {@code
 * fid/src/test/python/make_detector_fixtures.py}. Shared by {@link DetectorParityTest} (CPU) and
 * the bench module's {@code DetectorParityCheck} (any device), through this module's test jar.
 */
public final class DetectorParity {
  /** Largest accepted max |Java − PyTorch float64| / max |PyTorch float64|. */
  public static final double TOLERANCE = 1e-5;

  /** The fixture detectors ({@code NAME-detector.pt}). */
  public static final String[] DETECTORS = {"inception-shaped", "conv24"};

  private DetectorParity() {}

  /** The key of {@code NAME}'s features in {@code detector-parity.npz}. */
  public static String featureKey(String detector) {
    return detector.equals("inception-shaped") ? "inception" : detector;
  }

  /** Max |Java − PyTorch float64| / max |PyTorch float64| over the fixture's 64 images. */
  public static double relativeError(Detector detector, NpzFile fx, String key, int batch)
      throws IOException {
    byte[] pixels = fx.get("images").toUint8();
    double[] expected = fx.get(key + "_f64").toDoubles();
    long[] shape = fx.get("images").shape();
    int n = (int) shape[0];
    int per = (int) (shape[1] * shape[2] * shape[3]);
    int dim = expected.length / n;
    double maxDiff = 0;
    double maxRef = 0;
    try (NDManager m = NDManager.newBaseManager(detector.device())) {
      for (int start = 0; start < n; start += batch) {
        int b = Math.min(batch, n - start);
        try (NDManager step = m.newSubManager()) {
          NDArray images =
              step.create(
                  ByteBuffer.wrap(pixels, start * per, b * per).slice(),
                  new Shape(b, shape[1], shape[2], shape[3]),
                  DataType.UINT8);
          double[] f = detector.features(images).toType(DataType.FLOAT64, false).toDoubleArray();
          for (int i = 0; i < f.length; i++) {
            double ref = expected[start * dim + i];
            maxDiff =
                Math.max(
                    maxDiff, Double.isNaN(f[i]) ? Double.POSITIVE_INFINITY : Math.abs(f[i] - ref));
            maxRef = Math.max(maxRef, Math.abs(ref));
          }
        }
      }
    }
    return maxDiff / maxRef;
  }
}
