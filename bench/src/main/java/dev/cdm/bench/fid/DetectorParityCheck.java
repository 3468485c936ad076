package dev.cdm.bench.fid;

import ai.djl.Device;
import dev.cdm.fid.Detector;
import dev.cdm.fid.DetectorParity;
import dev.cdm.fid.TorchScriptDetector;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@link DetectorParity} on any device: for each fixture detector and batch size, the largest
 * difference from PyTorch's float64 features, relative to their largest magnitude.
 *
 * <pre>
 * java -cp ... dev.cdm.bench.fid.DetectorParityCheck FIXTURE_DIR [cpu|gpu] [batches, e.g. 1,7,64]
 * </pre>
 *
 * Prints one JSON line per (detector, batch); exits with status 1 when any exceeds {@link
 * DetectorParity#TOLERANCE}.
 */
public final class DetectorParityCheck {
  private DetectorParityCheck() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "fid/src/test/resources/fixtures");
    Device device = args.length > 1 && args[1].startsWith("gpu") ? Device.gpu() : Device.cpu();
    String[] batches = (args.length > 2 ? args[2] : "1,7,64").split(",");
    NpzFile fx = NpzFile.read(dir.resolve("detector-parity.npz"));
    boolean ok = true;
    for (String name : DetectorParity.DETECTORS) {
      try (Detector d =
          TorchScriptDetector.load(dir.resolve(name + "-detector.pt"), name, device)) {
        for (String b : batches) {
          double err =
              DetectorParity.relativeError(
                  d, fx, DetectorParity.featureKey(name), Integer.parseInt(b));
          ok &= err <= DetectorParity.TOLERANCE;
          System.out.printf(
              "{\"detector\":\"%s\",\"device\":\"%s\",\"batch\":%s,\"max_rel_error_vs_f64\":%.3g}%n",
              name, device, b, err);
        }
      }
    }
    System.exit(ok ? 0 : 1);
  }
}
