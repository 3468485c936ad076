package dev.cdm.transforms.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.data.Pixels;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * LSUN LMDB folders as the reference's {@code open_lmdb} reads them: main-database records in key
 * order, each decoded to RGB (cv2.IMREAD_COLOR): gray repeated, alpha dropped, palette expanded.
 */
class LmdbSourceTest {
  @TempDir Path tmp;

  /** Writes {@code records} (key to encoded image) into a fresh LMDB folder, in scrambled order. */
  static Path writeLmdb(Path dir, TreeMap<String, byte[]> records) throws IOException {
    Files.createDirectories(dir);
    try (Env<byte[]> env =
        Env.create(ByteArrayProxy.PROXY_BA).setMapSize(64L << 20).setMaxDbs(1).open(dir.toFile())) {
      Dbi<byte[]> db = env.openDbi((byte[]) null, DbiFlags.MDB_CREATE);
      List<String> keys = new ArrayList<>(records.descendingKeySet());
      try (Txn<byte[]> txn = env.txnWrite()) {
        for (String k : keys) {
          db.put(txn, k.getBytes(StandardCharsets.UTF_8), records.get(k));
        }
        txn.commit();
      }
    }
    return dir;
  }

  private static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out), format);
    return out.toByteArray();
  }

  /**
   * An image of kind k (0 gray PNG, 1 RGB PNG, 2 RGBA PNG, 3 palette PNG, 4 JPEG) and its expected
   * RGB.
   */
  private static Object[] image(int k, int seed) throws IOException {
    int w = 6;
    int h = 4;
    int type =
        k == 0
            ? BufferedImage.TYPE_BYTE_GRAY
            : k == 2 ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR;
    BufferedImage img;
    if (k == 3) {
      IndexColorModel cm =
          new IndexColorModel(
              8,
              3,
              new byte[] {10, 20, 30},
              new byte[] {40, 50, 60},
              new byte[] {70, 80, (byte) 190});
      img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
    } else {
      img = new BufferedImage(w, h, type);
    }
    byte[] want = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = (seed * 31 + x * 17 + y * 29) & 0xff;
        int p = (y * w + x) * 3;
        if (k == 0) {
          img.getRaster().setSample(x, y, 0, v);
          want[p] = want[p + 1] = want[p + 2] = (byte) v;
        } else if (k == 3) {
          int idx = (x + y + seed) % 3;
          img.getRaster().setSample(x, y, 0, idx);
          want[p] = (byte) (10 * (idx + 1));
          want[p + 1] = (byte) (40 + 10 * idx);
          want[p + 2] = (byte) new int[] {70, 80, 190}[idx];
        } else {
          int[] rgb = {v, 255 - v, (v * 3) & 0xff};
          for (int c = 0; c < 3; c++) {
            img.getRaster().setSample(x, y, c, rgb[c]);
            want[p + c] = (byte) rgb[c];
          }
          if (k == 2) {
            img.getRaster().setSample(x, y, 3, (x * 40) & 0xff); // alpha: dropped, not composited
          }
        }
      }
    }
    byte[] bytes = encode(img, k == 4 ? "jpeg" : "png");
    if (k == 4) { // lossy: expect what the JPEG decodes to, read independently as RGB
      int[] argb =
          ImageIO.read(new java.io.ByteArrayInputStream(bytes)).getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < argb.length; i++) {
        want[3 * i] = (byte) (argb[i] >> 16);
        want[3 * i + 1] = (byte) (argb[i] >> 8);
        want[3 * i + 2] = (byte) argb[i];
      }
    }
    return new Object[] {bytes, new Pixels(w, h, 3, want)};
  }

  @Test
  void recordsComeInKeyOrderAsRgbFromAnyRangeStart() throws Exception {
    TreeMap<String, byte[]> records = new TreeMap<>();
    List<Pixels> expected = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      Object[] img = image(i % 5, i);
      records.put(String.format("key%03d", i), (byte[]) img[0]);
      expected.add((Pixels) img[1]);
    }
    Path dir = writeLmdb(tmp.resolve("church_outdoor_train_lmdb"), records);
    Path work = Files.createDirectories(tmp.resolve("work"));
    PreparedSource source = LmdbSource.prepare(dir, 10, work, 3);
    assertEquals(10, source.size(), "--max-images caps the entries");
    for (long[] range : new long[][] {{0, 10}, {4, 9}, {3, 4}, {9, 10}}) {
      try (PreparedSource.Reader r = source.open(range[0], range[1])) {
        for (long i = range[0]; i < range[1]; i++) {
          SourceItem item = r.next();
          assertEquals(i, item.index());
          assertTrue(item.name().endsWith(String.format("[key%03d]", i)), item.name());
          assertNull(item.label());
          assertEquals(
              expected.get((int) i), item.decode(), "record " + i + " (kind " + i % 5 + ")");
        }
        assertNull(r.next());
      }
    }
  }

  @Test
  void aFolderWithoutDatabaseNamesTheFlag() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("x_lmdb"));
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                DatasetSources.prepare(
                    dir.toString(), 5, Files.createDirectories(tmp.resolve("w"))));
    assertTrue(
        e.getMessage().contains("--source=" + dir) && e.getMessage().contains("data.mdb"),
        e.getMessage());
  }
}
