package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Features of two TorchScript detectors through DJL against PyTorch's float64 features of the same
 * 64 images (fixtures from {@code fid/src/test/python/make_detector_fixtures.py}): a network with
 * Inception-v3's topology at one eighth of its width (the standard detector cannot be downloaded
 * here; its loading code is the same), and the small detector with a 24-channel 3x3 convolution on
 * which the CPU libtorch gave batch-dependent, NaN statistics before the engine's CPU-kernel cap.
 */
class DetectorParityTest {
  @ParameterizedTest(name = "{0} at batch {2}")
  @CsvSource({
    "inception-shaped, inception, 1",
    "inception-shaped, inception, 7",
    "inception-shaped, inception, 64",
    "conv24, conv24, 1",
    "conv24, conv24, 7",
    "conv24, conv24, 64"
  })
  void featuresMatchPyTorchAtAnyBatchSize(String file, String key, int batch) throws IOException {
    NpzFile fx = Fixtures.npz("detector-parity.npz");
    try (Detector d =
        TorchScriptDetector.load(Fixtures.path(file + "-detector.pt"), file, Device.cpu())) {
      double err = DetectorParity.relativeError(d, fx, key, batch);
      assertTrue(
          err <= DetectorParity.TOLERANCE,
          file + " at batch " + batch + ": max relative error " + err + " against PyTorch float64");
    }
  }
}
