package dev.cdm.transforms.fid;

import dev.cdm.model.io.NpzFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * The FID fixture's grayscale image sets written out as PNG folders or ZIPs (index order = name
 * order).
 */
public final class FixtureImages {
  private FixtureImages() {}

  public static Path resource(String name) {
    try {
      return Paths.get(FixtureImages.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource fixtures/" + name, e);
    }
  }

  public static NpzFile fidCase() throws IOException {
    try (InputStream in = Files.newInputStream(resource("fid-case.npz"))) {
      return NpzFile.read(in, "fid-case.npz");
    }
  }

  static byte[] png(byte[] pixels, int offset, int h, int w) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster()
        .setDataElements(0, 0, w, h, java.util.Arrays.copyOfRange(pixels, offset, offset + h * w));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  /** Writes the first {@code count} images of {@code key} (e.g. "imagesA") as a folder of PNGs. */
  public static Path folder(String key, int count, Path dir) throws IOException {
    byte[] pixels = fidCase().get(key).toUint8();
    Files.createDirectories(dir.resolve("00000"));
    for (int i = 0; i < count; i++) {
      Files.write(
          dir.resolve(String.format("00000/img%08d.png", i)), png(pixels, i * 1024, 32, 32));
    }
    return dir;
  }

  /** Writes the first {@code count} images of {@code key} as a dataset ZIP. */
  public static Path zip(String key, int count, Path file) throws IOException {
    byte[] pixels = fidCase().get(key).toUint8();
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream z = new ZipOutputStream(os)) {
      for (int i = 0; i < count; i++) {
        z.putNextEntry(new ZipEntry(String.format("00000/img%08d.png", i)));
        z.write(png(pixels, i * 1024, 32, 32));
        z.closeEntry();
      }
      z.putNextEntry(new ZipEntry("dataset.json"));
      z.write("{\"labels\": null}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return file;
  }
}
