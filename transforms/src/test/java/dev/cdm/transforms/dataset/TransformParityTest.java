package dev.cdm.transforms.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    Path ref = Fixtures.unzipResource("dataset/dataset-folder-center-crop-16.zip", tmp.resolve("ref"));
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
        DatasetSources.prepare(Fixtures.mnistDir().resolve("train-images-idx3-ubyte.gz").toString(), 500, work);
    assertEquals(500, source.size());
    ImageTransform t = ImageTransform.of(ImageTransform.Mode.SCALE, null, null);
    try (PreparedSource.Reader r = source.open(0, 500)) {
      SourceItem item;
      while ((item = r.next()) != null) {
        Pixels out = t.apply(item.decode(), item.name());
        assertEquals(expected.images.get(archiveName(item.index())), out, item.name());
        assertTrue(expected.datasetJson.contains("[\"" + archiveName(item.index()) + "\", " + item.label() + "]"));
      }
    }
  }

  @Test
  void pngRoundTripIsLossless() throws Exception {
    java.util.Random rnd = new java.util.Random(1);
    for (int ch : new int[] {1, 3}) {
      for (int size : new int[] {1, 7, 200}) { // 200x200x3 spans several stored deflate blocks
        byte[] data = new byte[size * size * ch];
        rnd.nextBytes(data);
        Pixels p = new Pixels(size, size, ch, data);
        assertEquals(p, PngCodec.decode(PngCodec.encode(p), "roundtrip"));
      }
    }
  }

  @Test
  void decodeGivesRgbOrderWhateverTheDecoderLayout() throws Exception {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(5, 3, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 5; x++) {
        img.setRGB(x, y, ((10 * x) << 16) | ((50 + 20 * y) << 8) | (200 + x + y));
      }
    }
    for (String format : new String[] {"png", "bmp"}) {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(img, format, bytes);
      Pixels p = PngCodec.decode(bytes.toByteArray(), "test." + format);
      assertEquals(3, p.channels(), format);
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 5; x++) {
          assertEquals(10 * x, p.get(x, y, 0), format);
          assertEquals(50 + 20 * y, p.get(x, y, 1), format);
          assertEquals(200 + x + y, p.get(x, y, 2), format);
        }
      }
    }
  }

  @Test
  void cifarUnpicklerRefusesOtherGlobals() {
    byte[] evil = "cos\nsystem\n(S'echo hi'\ntR.".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> CifarBatchUnpickler.read(evil, "batch.pkl"));
    assertTrue(e.getMessage().contains("batch.pkl") && e.getMessage().contains("os.system"), e.getMessage());
  }

  @Test
  void fastPngDecoderAgreesWithImageIo() throws Exception {
    java.util.Random rnd = new java.util.Random(7);
    int[] types = {java.awt.image.BufferedImage.TYPE_BYTE_GRAY, java.awt.image.BufferedImage.TYPE_3BYTE_BGR,
        java.awt.image.BufferedImage.TYPE_4BYTE_ABGR};
    for (int type : types) {
      java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(37, 23, type);
      for (int y = 0; y < 23; y++) {
        for (int x = 0; x < 37; x++) {
          // Smooth ramps plus noise, so that ImageIO's adaptive filtering uses every filter type.
          int v = (x * 5 + y * 3 + rnd.nextInt(8)) & 0xff;
          img.setRGB(x, y, ((255 - v / 2) << 24) | (v << 16) | (((v * 7) & 0xff) << 8) | (255 - v));
        }
      }
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(img, "png", bytes);
      Pixels fast = PngDecoder.decode(bytes.toByteArray(), "t.png");
      java.awt.image.Raster r = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes.toByteArray())).getRaster();
      int[] want = r.getPixels(0, 0, 37, 23, (int[]) null);
      assertEquals(r.getNumBands(), fast.channels());
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], fast.data()[i] & 0xff, "type " + type + " sample " + i);
      }
    }
  }
}
