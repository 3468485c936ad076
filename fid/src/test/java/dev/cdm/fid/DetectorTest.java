package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorTest {
  private static Detector detector;
  private static NpzFile fx;

  @BeforeAll
  static void load() throws IOException {
    detector = Detector.load(Fixtures.path("tiny-detector.pt").toString(), Device.cpu());
    fx = Fixtures.npz("fid-case.npz");
  }

  @AfterAll
  static void close() {
    detector.close();
  }

  /** Runs the fixture's grayscale images [600, 32, 32] through the detector in batches of 64. */
  private static FeatureSums featuresOf(String key, NDManager m, double[] all) throws IOException {
    byte[] pixels = fx.get(key).toUint8();
    FeatureSums sums = new FeatureSums(m);
    int n = 600;
    int hw = 32 * 32;
    for (int start = 0; start < n; start += 64) {
      int b = Math.min(64, n - start);
      try (NDManager step = m.newSubManager()) {
        NDArray images =
            step.create(
                ByteBuffer.wrap(pixels, start * hw, b * hw).slice(),
                new Shape(b, 1, 32, 32),
                DataType.UINT8);
        NDArray f = detector.features(images);
        assertEquals(new Shape(b, 64), f.getShape());
        assertEquals(step, f.getManager());
        double[] values = f.toType(DataType.FLOAT64, false).toDoubleArray();
        System.arraycopy(values, 0, all, start * 64, values.length);
        sums.add(f);
      }
    }
    return sums;
  }

  @Test
  void featuresMatchReference() throws IOException {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      for (String set : new String[] {"A", "B"}) {
        double[] ours = new double[600 * 64];
        featuresOf("images" + set, m, ours).close();
        double[] want = fx.get("features" + set).toDoubles();
        double maxErr = 0;
        for (int i = 0; i < want.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(want[i] - ours[i]));
        }
        assertTrue(maxErr < 1e-5, "features" + set + " differ by " + maxErr);
      }
    }
  }

  @Test
  void statisticsAndFidThroughDetectorMatchReference() throws IOException {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      GaussianStatistics b;
      GaussianStatistics a;
      try (FeatureSums sb = featuresOf("imagesB", m, new double[600 * 64]);
          FeatureSums sa = featuresOf("imagesA", m, new double[600 * 64])) {
        assertEquals(600, sb.count());
        b = sb.toMoments().toStatistics();
        a = sa.toMoments().toStatistics();
      }
      double[] muB = fx.get("muB").toDoubles();
      double[] sigmaB = fx.get("sigmaB").toDoubles();
      for (int i = 0; i < muB.length; i++) {
        assertEquals(muB[i], b.mu()[i], 1e-6);
      }
      for (int i = 0; i < sigmaB.length; i++) {
        assertEquals(sigmaB[i], b.sigma()[i], 1e-7);
      }
      double expected = Fixtures.scalar(fx, "fid_B_vs_A");
      // float32 features from our libtorch build vs the reference's: 1e-4 relative on the FID.
      assertEquals(expected, FrechetDistance.between(b, a), 1e-4 * expected);
    }
  }

  @Test
  void momentsFromReferenceFeaturesGiveReferenceStatistics() throws IOException {
    double[] f = fx.get("featuresB").toDoubles();
    FeatureMoments left = new FeatureMoments(64);
    FeatureMoments right = new FeatureMoments(64);
    for (int i = 0; i < 600; i++) {
      double[] row = java.util.Arrays.copyOfRange(f, i * 64, (i + 1) * 64);
      (i < 250 ? left : right).add(row);
    }
    GaussianStatistics s = left.merge(right).toStatistics();
    double[] muB = fx.get("muB").toDoubles();
    double[] sigmaB = fx.get("sigmaB").toDoubles();
    for (int i = 0; i < muB.length; i++) {
      assertEquals(muB[i], s.mu()[i], 1e-14);
    }
    for (int i = 0; i < sigmaB.length; i++) {
      assertEquals(sigmaB[i], s.sigma()[i], 1e-14);
    }
    IllegalStateException one =
        assertThrows(
            IllegalStateException.class,
            () -> {
              FeatureMoments m = new FeatureMoments(2);
              m.add(new double[2]);
              m.toStatistics();
            });
    assertTrue(one.getMessage().contains("at least 2"), one.getMessage());
  }

  @Test
  void nonFiniteFeaturesOrStatisticsAreAnErrorNeverAResult(@TempDir Path tmp) throws IOException {
    FeatureMoments m = new FeatureMoments(3);
    m.add(new double[] {1, 2, 3});
    m.add(new double[] {Double.NaN, 0, 1});
    m.add(new double[] {0, 1, 2});
    IllegalStateException e = assertThrows(IllegalStateException.class, m::toStatistics);
    assertTrue(
        e.getMessage().contains("3 images") && e.getMessage().contains("NaN"), e.getMessage());

    Path npz = tmp.resolve("nan-stats.npz");
    GaussianStatistics.of(new double[] {0, Double.NaN}, new double[] {1, 0, 0, 1}).write(npz);
    IOException read = assertThrows(IOException.class, () -> GaussianStatistics.read(npz));
    assertTrue(
        read.getMessage().contains("nan-stats.npz") && read.getMessage().contains("NaN"),
        read.getMessage());
  }

  @Test
  void missingOrBrokenDetectorNamesTheInput(@TempDir Path tmp) throws IOException {
    IOException missing =
        assertThrows(
            IOException.class,
            () -> Detector.load(tmp.resolve("none.pt").toString(), Device.cpu()));
    assertTrue(
        missing.getMessage().contains("--detector") && missing.getMessage().contains("none.pt"),
        missing.getMessage());
    Path junk = tmp.resolve("junk.pt");
    Files.writeString(junk, "not torchscript");
    IOException broken =
        assertThrows(IOException.class, () -> Detector.load(junk.toString(), Device.cpu()));
    assertTrue(broken.getMessage().contains("junk.pt"), broken.getMessage());
  }

  /** The tiny detector returns softmax(features) for return_features=False, as Inception does. */
  @Test
  void probabilitiesAreTheSoftmaxOutput() throws IOException {
    byte[] pixels = fx.get("imagesA").toUint8();
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray images =
          m.create(
              ByteBuffer.wrap(pixels, 0, 8 * 32 * 32).slice(),
              new Shape(8, 1, 32, 32),
              DataType.UINT8);
      NDArray p = detector.probabilities(images);
      assertEquals(new Shape(8, 64), p.getShape());
      float[] got = p.toFloatArray();
      float[] f = detector.features(images).toFloatArray();
      for (int i = 0; i < 8; i++) {
        double z = 0;
        for (int j = 0; j < 64; j++) {
          z += Math.exp(f[i * 64 + j]);
        }
        for (int j = 0; j < 64; j++) {
          assertEquals(Math.exp(f[i * 64 + j]) / z, got[i * 64 + j], 1e-6);
        }
      }
    }
  }
}
