package dev.cdm.transforms.generate;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * PNG encoding of 8-bit images as {@code generate.py} saves them through PIL: one channel as
 * grayscale ("L"), three as RGB. Lossless, so decoded pixels equal the reference's.
 */
public final class PngImages {
  private PngImages() {}

  /** Encodes [H, W, C] bytes (C = 1 or 3). */
  public static byte[] encode(byte[] hwc, int height, int width, int channels) {
    BufferedImage img;
    if (channels == 1) {
      img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
      byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      System.arraycopy(hwc, 0, dst, 0, hwc.length);
    } else if (channels == 3) {
      img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
      byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < height * width; i++) {
        dst[3 * i] = hwc[3 * i + 2];
        dst[3 * i + 1] = hwc[3 * i + 1];
        dst[3 * i + 2] = hwc[3 * i];
      }
    } else {
      throw new IllegalArgumentException(
          "PNG images need 1 or 3 channels, the network makes " + channels);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, "png", bytes)) {
        throw new IOException("no PNG writer in this JVM");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Decodes a PNG back to [H, W, C] bytes (C = 1 for grayscale, else 3). */
  public static byte[] decode(byte[] png, int[] hwcOut) throws IOException {
    BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(png));
    if (img == null) {
      throw new IOException("not a PNG image (" + png.length + " bytes)");
    }
    int h = img.getHeight();
    int w = img.getWidth();
    boolean gray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
    int c = gray ? 1 : 3;
    byte[] out = new byte[h * w * c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * c;
        if (gray) {
          out[i] = (byte) img.getRaster().getSample(x, y, 0);
        } else {
          int rgb = img.getRGB(x, y);
          out[i] = (byte) (rgb >> 16);
          out[i + 1] = (byte) (rgb >> 8);
          out[i + 2] = (byte) rgb;
        }
      }
    }
    hwcOut[0] = h;
    hwcOut[1] = w;
    hwcOut[2] = c;
    return out;
  }

  /**
   * Whether {@code png} is a whole PNG file: it ends with the IEND chunk and decodes. A file cut
   * short (a killed run, a full disk) fails one or the other.
   */
  public static boolean isComplete(byte[] png) {
    int n = png.length;
    if (n < 12 || png[n - 8] != 'I' || png[n - 7] != 'E' || png[n - 6] != 'N' || png[n - 5] != 'D') {
      return false;
    }
    try {
      return ImageIO.read(new java.io.ByteArrayInputStream(png)) != null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
