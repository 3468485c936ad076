package dev.cdm.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The one image decoder against what the reference's {@code np.array(PIL.Image.open(f))} gives:
 * lossless round trip of our PNGs, RGB order, palette images as their indices.
 */
class PngCodecTest {
  @Test
  void pngRoundTripIsLossless() throws Exception {
    java.util.Random rnd = new java.util.Random(1);
    for (int ch : new int[] {1, 3}) {
      for (int size : new int[] {1, 7, 200}) { // 200x200x3 spans several stored deflate blocks
        byte[] data = new byte[size * size * ch];
        rnd.nextBytes(data);
        Pixels p = new Pixels(size, size, ch, data);
        assertEquals(p, PngCodec.decode(PngCodec.encode(p), "roundtrip"));
        byte[] compressed = PngCodec.encodeCompressed(p);
        assertEquals(p, PngCodec.decode(compressed, "compressed"));
        // An independent reader agrees (ImageIO's PNG plug-in).
        java.awt.image.Raster r =
            ImageIO.read(new java.io.ByteArrayInputStream(compressed)).getRaster();
        int[] samples = r.getPixels(0, 0, size, size, (int[]) null);
        for (int i = 0; i < samples.length; i++) {
          assertEquals(data[i] & 0xff, samples[i], "sample " + i);
        }
      }
    }
  }

  @Test
  void decodeGivesRgbOrderWhateverTheDecoderLayout() throws Exception {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(5, 3, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
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
  void fastPngDecoderAgreesWithImageIo() throws Exception {
    java.util.Random rnd = new java.util.Random(7);
    int[] types = {
      java.awt.image.BufferedImage.TYPE_BYTE_GRAY,
      java.awt.image.BufferedImage.TYPE_3BYTE_BGR,
      java.awt.image.BufferedImage.TYPE_4BYTE_ABGR
    };
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
      java.awt.image.Raster r =
          javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes.toByteArray()))
              .getRaster();
      int[] want = r.getPixels(0, 0, 37, 23, (int[]) null);
      assertEquals(r.getNumBands(), fast.channels());
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], fast.data()[i] & 0xff, "type " + type + " sample " + i);
      }
    }
  }

  @Test
  void paletteImageDecodesToItsIndicesAsOneChannel() throws Exception {
    byte[] r = {0, (byte) 255, 10, 20};
    byte[] g = {0, 0, (byte) 200, 30};
    byte[] b = {0, 0, 40, (byte) 250};
    for (int bits : new int[] {2, 8}) {
      IndexColorModel cm = new IndexColorModel(bits, 4, r, g, b);
      BufferedImage img =
          new BufferedImage(
              6,
              5,
              bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_BYTE_BINARY,
              cm);
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 6; x++) {
          img.getRaster().setSample(x, y, 0, (x + 2 * y) % 4);
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(img, "png", bytes);
      Pixels p = PngCodec.decode(bytes.toByteArray(), "palette.png");
      assertEquals(1, p.channels(), "mode 'P' is one channel of indices (" + bits + " bits)");
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 6; x++) {
          assertEquals((x + 2 * y) % 4, p.get(x, y, 0), bits + "-bit palette at " + x + "," + y);
        }
      }
    }
  }

  @Test
  void chwTransposesInterleavedChannels() {
    byte[] hwc = {1, 2, 3, 4, 5, 6}; // 2x1 pixels, RGB
    assertArrayEquals(new byte[] {1, 4, 2, 5, 3, 6}, new Pixels(2, 1, 3, hwc).chw());
  }

  @Test
  void garbageNamesTheInput() {
    BadImageException e =
        assertThrows(
            BadImageException.class, () -> PngCodec.decode(new byte[] {1, 2, 3}, "x/broken.png"));
    assertTrue(e.getMessage().startsWith("x/broken.png"), e.getMessage());
  }
}
