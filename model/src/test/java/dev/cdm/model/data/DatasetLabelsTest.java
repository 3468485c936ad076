package dev.cdm.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.training.TrainingSet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dataset.json as the reference's json.load reads it, and its labels in the training set. */
class DatasetLabelsTest {
  @TempDir Path tmp;

  private static DatasetLabels parse(String json) throws IOException {
    return DatasetLabels.parse(json.getBytes(StandardCharsets.UTF_8), "dataset.json");
  }

  @Test
  void escapedNamesAndVectorLabelsAreRead() throws Exception {
    DatasetLabels l =
        parse(
            "{\"labels\": [[\"caf\\u00e9.png\", [0.5, 1, -2e-1]],"
                + " [\"a\\\"b\\/c.png\", [1.0, 0.0, 0.0]]]}");
    assertEquals(2, l.size());
    assertEquals("[0.5, 1, -0.2]", l.json("café.png"));
    assertEquals("[1.0, 0.0, 0.0]", l.json("a\"b/c.png"));
    DatasetLabels.Table t = l.forImages(List.of("café.png", "a\"b/c.png"));
    assertEquals(3, t.dim());
    assertTrue(!t.oneHot());
    float[] out = new float[6];
    t.write(0, out, 0);
    t.write(1, out, 3);
    assertArrayEquals(new float[] {0.5f, 1f, -0.2f, 1f, 0f, 0f}, out);
  }

  @Test
  void classLabelsAreOneHotOfMaxPlusOne() throws Exception {
    DatasetLabels l = parse("{\"labels\": [[\"x.png\", 2], [\"y.png\", 0], [\"x.png\", 4]]}");
    DatasetLabels.Table t = l.forImages(List.of("x.png", "y.png"));
    assertEquals(5, t.dim(), "a later entry for a name wins, as dict() does");
    float[] out = new float[5];
    t.write(0, out, 0);
    assertArrayEquals(new float[] {0, 0, 0, 0, 1}, out);
  }

  @Test
  void nullLabelsAndErrorsNameTheFile() throws Exception {
    assertTrue(parse("{\"labels\": null}").isNull());
    assertNull(parse("{\"labels\": null}").forImages(List.of("a.png")));
    String[] bad = {
      "{\"labels\": [[\"a.png\", 1]",
      "[1, 2]",
      "{\"labels\": [[\"a.png\"]]}",
      "{\"labels\": [[\"a.png\", \"cat\"]]}"
    };
    for (String json : bad) {
      IOException e = assertThrows(IOException.class, () -> parse(json), json);
      assertTrue(e.getMessage().startsWith("dataset.json"), e.getMessage());
    }
    IOException missing =
        assertThrows(
            IOException.class,
            () -> parse("{\"labels\": [[\"a.png\", 1]]}").forImages(List.of("a.png", "b.png")));
    assertTrue(missing.getMessage().contains("b.png"), missing.getMessage());
    IOException mixed =
        assertThrows(
            IOException.class,
            () ->
                parse("{\"labels\": [[\"a.png\", 1], [\"b.png\", [1]]]}")
                    .forImages(List.of("a.png", "b.png")));
    assertTrue(mixed.getMessage().contains("b.png"), mixed.getMessage());
    IOException negative =
        assertThrows(
            IOException.class,
            () -> parse("{\"labels\": [[\"a.png\", -1]]}").forImages(List.of("a.png")));
    assertTrue(negative.getMessage().contains("non-negative"), negative.getMessage());
  }

  @Test
  void trainingSetServesVectorLabelsAndPaletteIndices() throws Exception {
    // A ZIP: entry names are UTF-8 whatever the platform's file-name encoding.
    Path zip = tmp.resolve("data.zip");
    java.awt.image.IndexColorModel cm =
        new java.awt.image.IndexColorModel(
            8, 3, new byte[] {0, 100, (byte) 200}, new byte[] {0, 50, 10}, new byte[] {0, 20, 30});
    String[] names = {"café.png", "zeta.png"};
    try (java.util.zip.ZipOutputStream z =
        new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
      for (int i = 0; i < names.length; i++) {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED, cm);
        for (int p = 0; p < 16; p++) {
          img.getRaster().setSample(p % 4, p / 4, 0, (p + i) % 3);
        }
        z.putNextEntry(new java.util.zip.ZipEntry(names[i]));
        ImageIO.write(img, "png", z);
        z.closeEntry();
      }
      z.putNextEntry(new java.util.zip.ZipEntry("dataset.json"));
      z.write(
          "{\"labels\": [[\"caf\\u00e9.png\", [0.25, 0.75]], [\"zeta.png\", [1.0, 0.0]]]}"
              .getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    try (TrainingSet set = new TrainingSet(ImageArchive.open(zip), true, false, false, 1, 0)) {
      assertEquals(2, set.labelDim());
      assertEquals(1, set.channels(), "a palette PNG is one channel of indices");
      for (long k = 0; k < 2; k++) {
        int idx = set.indexAt(k);
        TrainingSet.HostBatch b = set.batch(k, 1);
        assertArrayEquals(idx == 0 ? new float[] {0.25f, 0.75f} : new float[] {1f, 0f}, b.labels());
        for (int p = 0; p < 16; p++) {
          assertEquals((p + idx) % 3, b.pixels()[p]);
        }
      }
    }
  }
}
