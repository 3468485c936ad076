package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.fid.MnistTraining.Digits;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped MNIST classifier (FID-MNIST's detector) and its deterministic training. */
class MnistDetectorTest {
  private static MnistDetector detector;
  private static Digits test;

  @BeforeAll
  static void load() throws IOException {
    detector = (MnistDetector) Detector.load(Detector.MNIST, Device.cpu());
    test = readIdx("t10k");
  }

  @AfterAll
  static void close() {
    detector.close();
  }

  /**
   * MNIST from the repository's IDX files, zero-padded by 2 to 32x32 (as cdm dataset writes it).
   */
  static Digits readIdx(String prefix) throws IOException {
    Path dir = Path.of("..", "data", "mnist");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("data", "mnist");
    }
    byte[] labels;
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz")))) {
      byte[] all = in.readAllBytes();
      labels = Arrays.copyOfRange(all, 8, all.length);
    }
    int n = labels.length;
    byte[] pixels = new byte[n * 32 * 32];
    try (DataInputStream in =
        new DataInputStream(
            new GZIPInputStream(
                Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))))) {
      in.skipNBytes(16);
      byte[] row = new byte[28];
      for (int i = 0; i < n; i++) {
        for (int y = 0; y < 28; y++) {
          in.readFully(row);
          System.arraycopy(row, 0, pixels, i * 1024 + (y + 2) * 32 + 2, 28);
        }
      }
    }
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = labels[i];
    }
    return new Digits(pixels, l);
  }

  @Test
  void shippedClassifierIsAtLeast99PercentAccurateOnTheTestSet() {
    double accuracy = MnistTraining.accuracy(detector, test, 1000);
    assertTrue(accuracy >= 0.99, "test accuracy " + accuracy);
  }

  @Test
  void featuresArePenultimateLayerAndInputFormsAgree() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray padded = test.images(m, new int[] {0, 1, 2, 3});
      NDArray f = detector.features(padded);
      assertEquals(new Shape(4, MnistClassifier.FEATURES), f.getShape());
      assertEquals(DataType.FLOAT32, f.getDataType());
      // Raw 28x28 MNIST is padded like the dataset tool; grayscale repeated to RGB is the same
      // image.
      NDArray raw = padded.get(":, :, 2:30, 2:30");
      assertArrayEquals(f.toFloatArray(), detector.features(raw).toFloatArray(), 0f);
      NDArray rgb = padded.tile(new long[] {1, 3, 1, 1});
      assertArrayEquals(f.toFloatArray(), detector.features(rgb).toFloatArray(), 1e-5f);
      // Float pixels in 0..255 are the same as uint8.
      assertArrayEquals(
          f.toFloatArray(),
          detector.features(padded.toType(DataType.FLOAT32, false)).toFloatArray(),
          0f);
      assertEquals(4, detector.logits(padded).getShape().get(0));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> detector.features(m.zeros(new Shape(2, 1, 64, 64), DataType.UINT8)));
      assertTrue(e.getMessage().contains("[N, 1 or 3, 32, 32]"), e.getMessage());
    }
  }

  @Test
  void trainingIsDeterministicAndLearns() {
    Digits small =
        new Digits(Arrays.copyOf(test.pixels(), 512 * 1024), Arrays.copyOf(test.labels(), 512));
    MnistTraining.Settings s = new MnistTraining.Settings(7, 1, 64, 1e-3);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      MnistClassifier a = MnistTraining.train(small, s, m, n -> {});
      MnistClassifier b = MnistTraining.train(small, s, m, n -> {});
      MnistClassifier other =
          MnistTraining.train(small, new MnistTraining.Settings(8, 1, 64, 1e-3), m, n -> {});
      for (String k : a.parameters().keySet()) {
        assertArrayEquals(
            a.parameters().get(k).toFloatArray(), b.parameters().get(k).toFloatArray(), 0f, k);
      }
      assertNotEquals(
          Arrays.toString(a.parameters().get("fc2.weight").toFloatArray()),
          Arrays.toString(other.parameters().get("fc2.weight").toFloatArray()));
      // 8 steps on 512 digits: well above chance on the same digits already.
      double acc = MnistTraining.accuracy(MnistDetector.of(a, "a"), small, 256);
      assertTrue(acc > 0.3, "accuracy after one small epoch " + acc);
    }
  }

  @Test
  void savedWeightsLoadBackAndWrongFilesAreRefused(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws IOException {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        MnistClassifier net = MnistClassifier.initial(m, 3)) {
      Path file = tmp.resolve("w.safetensors");
      net.save(file, java.util.Map.of());
      try (Detector d = Detector.load(file.toString(), Device.cpu());
          NDManager s = NDManager.newBaseManager(Device.cpu())) {
        assertTrue(d instanceof MnistDetector);
        NDArray img = test.images(s, new int[] {5});
        assertArrayEquals(
            MnistDetector.of(net, "n").features(img).toFloatArray(),
            d.features(img).toFloatArray(),
            0f);
      }
      Path junk = tmp.resolve("junk.safetensors");
      dev.cdm.model.io.SafetensorsFile.write(
          junk,
          java.util.Map.of(
              "x", dev.cdm.model.io.TensorData.ofFloats(new long[] {1}, new float[] {1})),
          java.util.Map.of());
      IOException e =
          assertThrows(IOException.class, () -> Detector.load(junk.toString(), Device.cpu()));
      assertTrue(e.getMessage().contains("not MNIST classifier weights"), e.getMessage());
    }
  }
}
