package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.data.ImageArchive;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingSetTest {
  static Path mnist() throws Exception {
    return Path.of(TrainingSetTest.class.getResource("/datasets/dataset-mnist-max500.zip").toURI());
  }

  @Test
  void streamIsASeededPermutationPerEpoch() throws Exception {
    try (TrainingSet a = new TrainingSet(ImageArchive.open(mnist()), false, true, true, 2, 11);
        TrainingSet b = new TrainingSet(ImageArchive.open(mnist()), false, true, true, 1, 11);
        TrainingSet c = new TrainingSet(ImageArchive.open(mnist()), false, true, true, 1, 12)) {
      assertEquals(1000, a.size()); // x-flip doubles the 500 images
      Set<Integer> epoch = new HashSet<>();
      boolean differs = false;
      for (long k = 0; k < a.size(); k++) {
        epoch.add(a.indexAt(k));
        differs |= a.indexAt(k + a.size()) != a.indexAt(k);
      }
      assertEquals(1000, epoch.size(), "each image once per epoch");
      assertTrue(differs, "epochs are shuffled differently");
      for (long k = 0; k < 50; k++) {
        assertEquals(a.indexAt(k + 1234), b.indexAt(k + 1234), "same seed, same stream");
      }
      boolean seedMatters = false;
      for (long k = 0; k < 50; k++) {
        seedMatters |= a.indexAt(k) != c.indexAt(k);
      }
      assertTrue(seedMatters);
    }
  }

  @Test
  void xflipMirrorsAndLabelsAreOneHot() throws Exception {
    try (TrainingSet set = new TrainingSet(ImageArchive.open(mnist()), true, true, true, 2, 0);
        ImageArchive raw = ImageArchive.open(mnist())) {
      assertEquals(10, set.labelDim());
      assertEquals(32, set.resolution());
      assertEquals(1, set.channels());
      int r = set.resolution();
      // Find a position of a mirrored copy and of an original in the stream.
      for (long k = 0; k < 40; k++) {
        int idx = set.indexAt(k);
        TrainingSet.HostBatch b = set.batch(k, 1);
        int rawIdx = idx % raw.size();
        byte[] px = raw.pixels(rawIdx).chw();
        boolean flipped = idx >= raw.size();
        for (int y = 0; y < r; y++) {
          for (int x = 0; x < r; x++) {
            assertEquals(px[y * r + (flipped ? r - 1 - x : x)], b.pixels()[y * r + x]);
          }
        }
        float sum = 0;
        for (int l = 0; l < 10; l++) {
          sum += b.labels()[l];
        }
        assertEquals(1f, sum);
        assertEquals(1f, b.labels()[(int) raw.labelTable().classOf(rawIdx)]);
      }
    }
  }

  @Test
  void condWithoutLabelsNamesTheFlag(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path zip = tmp.resolve("nolabels.zip");
    try (java.util.zip.ZipOutputStream z =
        new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip))) {
      z.putNextEntry(new java.util.zip.ZipEntry("00000/img00000000.png"));
      java.awt.image.BufferedImage img =
          new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      javax.imageio.ImageIO.write(img, "png", z);
      z.closeEntry();
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TrainingSet(ImageArchive.open(zip), true, false, true, 1, 0));
    assertTrue(
        e.getMessage().contains("--cond") && e.getMessage().contains("nolabels.zip"),
        e.getMessage());
    try (TrainingSet ok = new TrainingSet(ImageArchive.open(zip), false, false, true, 1, 0)) {
      assertEquals(0, ok.labelDim());
      assertEquals("nolabels", ok.name());
    }
  }
}
