package dev.cdm.fid.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.fid.Detector;
import dev.cdm.fid.NpzFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Detector features through DJL against PyTorch's, on the fixtures of {@code
 * fid/src/test/python/make_detector_fixtures.py}: for each detector and batch size, the largest
 * difference from PyTorch's float64 features, relative to their largest magnitude.
 *
 * <pre>
 * java -cp ... dev.cdm.fid.bench.DetectorParityCheck FIXTURE_DIR [cpu|gpu] [batches, e.g. 1,7,64]
 * </pre>
 *
 * Prints one JSON line per (detector, batch); exits with status 1 when any exceeds 1e-5.
 */
public final class DetectorParityCheck {
  public static final double TOLERANCE = 1e-5;
  public static final String[] DETECTORS = {"inception-shaped", "conv24"};

  private DetectorParityCheck() {}

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
            maxDiff = Math.max(maxDiff, Double.isNaN(f[i]) ? Double.POSITIVE_INFINITY : Math.abs(f[i] - ref));
            maxRef = Math.max(maxRef, Math.abs(ref));
          }
        }
      }
    }
    return maxDiff / maxRef;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "fid/src/test/resources/fixtures");
    Device device = args.length > 1 && args[1].startsWith("gpu") ? Device.gpu() : Device.cpu();
    String[] batches = (args.length > 2 ? args[2] : "1,7,64").split(",");
    NpzFile fx = NpzFile.read(dir.resolve("detector-parity.npz"));
    boolean ok = true;
    for (String name : DETECTORS) {
      try (Detector d = Detector.load(dir.resolve(name + "-detector.pt"), name, device)) {
        for (String b : batches) {
          double err = relativeError(d, fx, name.equals("inception-shaped") ? "inception" : name, Integer.parseInt(b));
          ok &= err <= TOLERANCE;
          System.out.printf(
              "{\"detector\":\"%s\",\"device\":\"%s\",\"batch\":%s,\"max_rel_error_vs_f64\":%.3g}%n",
              name, device, b, err);
        }
      }
    }
    System.exit(ok ? 0 : 1);
  }
}
