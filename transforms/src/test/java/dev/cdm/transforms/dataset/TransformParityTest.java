package dev.cdm.transforms.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.data.Pixels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain (non-Beam) dataset code against the reference's dataset_tool outputs: listing order,
 * labels, center-crop + PIL LANCZOS pixels, MNIST padding.
 */
class TransformParityTest {
  @TempDir Path tmp;

  private static String archiveName(long idx) {
    String s = String.format("%08d", idx);
    return s.substring(0, 5) + "/img" + s + ".png";
  }

  @Test
  void centerCrop16MatchesReferencePixelsAndLabels() throws Exception {
    Path src = Fixtures.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    Path ref =
        Fixtures.unzipResource("dataset/dataset-folder-center-crop-16.zip", tmp.resolve("ref"));
    Fixtures.Decoded expected = Fixtures.decode(ref);
    Path work = java.nio.file.Files.createDirectories(tmp.resolve("work"));
    PreparedSource source = DatasetSources.prepare(src.toString(), Long.MAX_VALUE, work);
    assertEquals(expected.images.size(), source.size());
    ImageTransform t = ImageTransform.of(ImageTransform.Mode.CENTER_CROP, 16, 16);
    List<String> labels = new ArrayList<>();
    try (PreparedSource.Reader r = source.open(0, source.size())) {
      SourceItem item;
      while ((item = r.next()) != null) {
        Pixels out = t.apply(item.decode(), item.name());
        Pixels want = expected.images.get(archiveName(item.index()));
        assertNotNull(want, archiveName(item.index()));
        assertEquals(want.width(), out.width());
        assertEquals(want.channels(), out.channels());
        int diff = Fixtures.maxDiff(want, out);
        assertTrue(diff <= 1, item.name() + " differs by " + diff + " levels");
        assertEquals(0, diff, item.name() + " should be bit-exact with PIL");
        labels.add("[\"" + archiveName(item.index()) + "\", " + item.label() + "]");
      }
    }
    assertEquals("{\"labels\": [" + String.join(", ", labels) + "]}", expected.datasetJson);
  }

  @Test
  void mnistFirst500MatchReference() throws Exception {
    Path ref = Fixtures.unzipResource("dataset/dataset-mnist-max500.zip", tmp.resolve("ref"));
    Fixtures.Decoded expected = Fixtures.decode(ref);
    Path work = java.nio.file.Files.createDirectories(tmp.resolve("work"));
    PreparedSource source =
        DatasetSources.prepare(
            Fixtures.mnistDir().resolve("train-images-idx3-ubyte.gz").toString(), 500, work);
    assertEquals(500, source.size());
    ImageTransform t = ImageTransform.of(ImageTransform.Mode.SCALE, null, null);
    try (PreparedSource.Reader r = source.open(0, 500)) {
      SourceItem item;
      while ((item = r.next()) != null) {
        Pixels out = t.apply(item.decode(), item.name());
        assertEquals(expected.images.get(archiveName(item.index())), out, item.name());
        assertTrue(
            expected.datasetJson.contains(
                "[\"" + archiveName(item.index()) + "\", " + item.label() + "]"));
      }
    }
  }

  @Test
  void cifarUnpicklerRefusesOtherGlobals() {
    byte[] evil =
        "cos\nsystem\n(S'echo hi'\ntR.".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class, () -> CifarBatch.read(evil, "batch.pkl"));
    assertTrue(
        e.getMessage().contains("batch.pkl") && e.getMessage().contains("os.system"),
        e.getMessage());
  }
}
