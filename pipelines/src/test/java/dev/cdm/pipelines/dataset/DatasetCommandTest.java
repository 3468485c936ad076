package dev.cdm.pipelines.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.data.Pixels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm dataset} end to end on the DirectRunner (and Flink embedded): outputs against the
 * reference dataset_tool fixtures, CIFAR-10 tarballs, corrupt input, atomic destination.
 */
class DatasetCommandTest {
  @TempDir Path tmp;

  private static int rc(Object[] r) {
    return (Integer) r[0];
  }

  private static String err(Object[] r) {
    return (String) r[1];
  }

  private static void assertSameDataset(DatasetTestData.Decoded want, DatasetTestData.Decoded got) {
    assertEquals(want.images.keySet(), got.images.keySet());
    for (var e : want.images.entrySet()) {
      Pixels a = e.getValue();
      Pixels b = got.images.get(e.getKey());
      assertEquals(a.width(), b.width(), e.getKey());
      assertEquals(a.height(), b.height(), e.getKey());
      assertEquals(a.channels(), b.channels(), e.getKey());
      int max = 0;
      for (int i = 0; i < a.data().length; i++) {
        max = Math.max(max, Math.abs((a.data()[i] & 0xff) - (b.data()[i] & 0xff)));
      }
      assertTrue(max <= 1, e.getKey() + " differs by " + max + " levels");
    }
    assertEquals(want.datasetJson, got.datasetJson);
  }

  /** Only the destination remains beside it: no temporary files or folders. */
  private static void assertOnlyEntries(Path dir, String... names) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(
          List.of(names),
          s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
  }

  @Test
  void folderCenterCropMatchesReferenceWithManyShards() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    Path ref =
        DatasetTestData.unzipResource(
            "dataset/dataset-folder-center-crop-16.zip", tmp.resolve("ref"));
    Path outDir = Files.createDirectories(tmp.resolve("out"));
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + outDir.resolve("crop.zip"),
            "--transform=center-crop",
            "--resolution=16x16",
            "--shard-size=2",
            "--targetParallelism=4");
    assertEquals(0, rc(r), err(r));
    assertSameDataset(
        DatasetTestData.decode(ref), DatasetTestData.decode(outDir.resolve("crop.zip")));
    assertOnlyEntries(outDir, "crop.zip");
  }

  @Test
  void centerCropWideSkipsNarrowImagesKeepingIndices() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    Path ref =
        DatasetTestData.unzipResource("dataset/local-ref/wide-32x16.zip", tmp.resolve("ref"));
    Path dest = tmp.resolve("wide.zip");
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + dest,
            "--transform=center-crop-wide",
            "--resolution=32x16",
            "--shard-size=3");
    assertEquals(0, rc(r), err(r));
    assertSameDataset(DatasetTestData.decode(ref), DatasetTestData.decode(dest));
    assertTrue(err(r).contains("2 skipped"), err(r));
  }

  @Test
  void plainScaleOfNonSquareImages() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/local-ref/rgbonly-source.zip", tmp.resolve("src"));
    Path ref = DatasetTestData.unzipResource("dataset/local-ref/scale-16.zip", tmp.resolve("ref"));
    Path dest = tmp.resolve("scale.zip");
    Object[] r =
        DatasetTestData.runCommand("--source=" + src, "--dest=" + dest, "--resolution=16x16");
    assertEquals(0, rc(r), err(r));
    assertSameDataset(DatasetTestData.decode(ref), DatasetTestData.decode(dest));
  }

  @Test
  void zipSourceWithUpsamplingCrop() throws Exception {
    Path zip = tmp.resolve("dataset-source-folder.zip");
    try (var in =
        getClass().getClassLoader().getResourceAsStream("dataset/dataset-source-folder.zip")) {
      Files.copy(in, zip);
    }
    Path ref =
        DatasetTestData.unzipResource("dataset/local-ref/zipsrc-crop-128.zip", tmp.resolve("ref"));
    Path dest = tmp.resolve("out");
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + zip,
            "--dest=" + dest,
            "--transform=center-crop",
            "--resolution=128x128",
            "--max-images=7");
    assertEquals(0, rc(r), err(r));
    assertSameDataset(DatasetTestData.decode(ref), DatasetTestData.decode(dest));
  }

  @Test
  void folderLabelsFromDatasetJson() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    // Labels from dataset.json win over folder names; one image without a label makes them all
    // null.
    Files.writeString(
        src.resolve("dataset.json"),
        "{\"labels\": [[\"cats/im1.png\", 7], [\"cats/im3.png\", 3], "
            + "[\"cats/im5.png\", 5], [\"dogs/gray0.png\", 2]]}");
    Path dest = tmp.resolve("a.zip");
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + dest,
            "--transform=center-crop",
            "--resolution=16x16",
            "--max-images=4");
    assertEquals(0, rc(r), err(r));
    assertEquals(
        "{\"labels\": [[\"00000/img00000000.png\", 7], [\"00000/img00000001.png\", 3], "
            + "[\"00000/img00000002.png\", 5], [\"00000/img00000003.png\", 2]]}",
        DatasetTestData.decode(dest).datasetJson);
    r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + tmp.resolve("b.zip"),
            "--transform=center-crop",
            "--resolution=16x16",
            "--max-images=5");
    assertEquals(0, rc(r), err(r));
    assertEquals("{\"labels\": null}", DatasetTestData.decode(tmp.resolve("b.zip")).datasetJson);
  }

  @Test
  void mnistToFolderMatchesReference() throws Exception {
    Path ref =
        DatasetTestData.unzipResource("dataset/dataset-mnist-max500.zip", tmp.resolve("ref"));
    Path dest = tmp.resolve("out").resolve("mnist");
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + DatasetTestData.mnistDir().resolve("train-images-idx3-ubyte.gz"),
            "--dest=" + dest,
            "--max-images=500",
            "--shard-size=37");
    assertEquals(0, rc(r), err(r));
    assertSameDataset(DatasetTestData.decode(ref), DatasetTestData.decode(dest));
    assertTrue(
        err(r).contains("images/s") && err(r).contains("ETA"),
        "progress with rate and ETA: " + err(r));
    assertOnlyEntries(dest.getParent(), "mnist");
  }

  @Test
  void mnistTestFileRawOrGzip() throws Exception {
    // The reference only takes train-images-idx3-ubyte.gz; the port also takes the t10k file, raw.
    Path raw = Files.createDirectories(tmp.resolve("raw"));
    for (String f : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
      try (var in =
          new java.util.zip.GZIPInputStream(
              Files.newInputStream(DatasetTestData.mnistDir().resolve(f + ".gz")))) {
        Files.copy(in, raw.resolve(f));
      }
    }
    Path a = tmp.resolve("a.zip");
    Path b = tmp.resolve("b.zip");
    assertEquals(
        0,
        rc(
            DatasetTestData.runCommand(
                "--source=" + raw.resolve("t10k-images-idx3-ubyte"),
                "--dest=" + a,
                "--max-images=50")));
    assertEquals(
        0,
        rc(
            DatasetTestData.runCommand(
                "--source=" + DatasetTestData.mnistDir().resolve("t10k-images-idx3-ubyte.gz"),
                "--dest=" + b,
                "--max-images=50")));
    DatasetTestData.Decoded da = DatasetTestData.decode(a);
    assertEquals(50, da.images.size());
    assertSameDataset(da, DatasetTestData.decode(b));
    // t10k's first labels are 7, 2, 1, 0.
    assertTrue(
        da.datasetJson.startsWith(
            "{\"labels\": [[\"00000/img00000000.png\", 7], [\"00000/img00000001.png\", 2], "
                + "[\"00000/img00000002.png\", 1], [\"00000/img00000003.png\", 0]"),
        da.datasetJson);
  }

  @Test
  void cifarTarballInReferenceOrder() throws Exception {
    int perBatch = 3;
    Path tarball =
        DatasetTestData.writeCifarTarball(Files.createDirectories(tmp.resolve("in")), perBatch);
    Path dest = tmp.resolve("cifar.zip");
    Object[] r =
        DatasetTestData.runCommand("--source=" + tarball, "--dest=" + dest, "--shard-size=4");
    assertEquals(0, rc(r), err(r));
    DatasetTestData.Decoded d = DatasetTestData.decode(dest);
    assertEquals(5 * perBatch, d.images.size());
    StringBuilder json = new StringBuilder("{\"labels\": [");
    for (int b = 1; b <= 5; b++) {
      for (int i = 0; i < perBatch; i++) {
        int idx = (b - 1) * perBatch + i;
        String name = String.format("00000/img%08d.png", idx);
        Pixels p = d.images.get(name);
        assertEquals(3, p.channels());
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < 32; y += 5) {
            for (int x = 0; x < 32; x += 3) {
              assertEquals(
                  DatasetTestData.cifarPixel(b, i, c, y, x),
                  p.get(x, y, c),
                  name + " c" + c + " y" + y + " x" + x);
            }
          }
        }
        json.append(idx == 0 ? "" : ", ")
            .append("[\"")
            .append(name)
            .append("\", ")
            .append(DatasetTestData.cifarLabel(b, i))
            .append("]");
      }
    }
    assertEquals(json.append("]}").toString(), d.datasetJson);
  }

  @Test
  void corruptImageFailsNamingItAndLeavesNoDestination() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    Path bad = src.resolve("dogs").resolve("gray2.png");
    byte[] bytes = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(bytes, 60)); // truncated PNG
    Path outDir = Files.createDirectories(tmp.resolve("out"));
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + outDir.resolve("d.zip"),
            "--transform=center-crop",
            "--resolution=16x16",
            "--shard-size=3");
    assertEquals(1, rc(r));
    assertTrue(err(r).contains(bad.toString()), "error names the file: " + err(r));
    assertOnlyEntries(outDir);

    // With --skip-bad it is skipped, counted, and its index left out as the reference does for
    // skips.
    r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + outDir.resolve("d.zip"),
            "--transform=center-crop",
            "--resolution=16x16",
            "--shard-size=3",
            "--skip-bad");
    assertEquals(0, rc(r), err(r));
    assertTrue(err(r).contains("1 bad inputs skipped") && err(r).contains(bad.toString()), err(r));
    DatasetTestData.Decoded got = DatasetTestData.decode(outDir.resolve("d.zip"));
    DatasetTestData.Decoded want =
        DatasetTestData.decode(
            DatasetTestData.unzipResource(
                "dataset/dataset-folder-center-crop-16.zip", tmp.resolve("ref")));
    // Sorted order: cats/im1, im3, im5, dogs/gray0, gray1, gray2 -> index 5 is the bad one.
    String skipped = "00000/img00000005.png";
    assertFalse(got.images.containsKey(skipped));
    want.images.remove(skipped);
    assertEquals(want.images.keySet(), got.images.keySet());
    assertFalse(got.datasetJson.contains(skipped));
    assertOnlyEntries(outDir, "d.zip");
  }

  @Test
  void unequalImagesFailNamingTheImage() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    Path outDir = Files.createDirectories(tmp.resolve("out"));
    // Without a resolution the first image (cats/im1.png, 53x37) is not square.
    Object[] r = DatasetTestData.runCommand("--source=" + src, "--dest=" + outDir.resolve("d.zip"));
    assertEquals(1, rc(r));
    assertTrue(
        err(r).contains("required to be square.  Got 53x37") && err(r).contains("im1.png"), err(r));
    // Squares of unequal size: the first mismatch in index order is named, whatever the shards.
    Path sq = Files.createDirectories(tmp.resolve("sq"));
    Files.copy(src.resolve("dogs/im4.png"), sq.resolve("a.png")); // 100x100 RGB
    Files.copy(src.resolve("dogs/im4.png"), sq.resolve("b.png"));
    Files.copy(src.resolve("dogs/gray0.png"), sq.resolve("c.png")); // 40x40 gray
    Files.copy(src.resolve("dogs/im0.png"), sq.resolve("d.png")); // 40x40 RGB
    r =
        DatasetTestData.runCommand(
            "--source=" + sq,
            "--dest=" + outDir.resolve("e.zip"),
            "--resolution=32x32",
            "--shard-size=1");
    assertEquals(1, rc(r));
    assertTrue(err(r).contains("Image 00000/img00000002.png (" + sq.resolve("c.png")), err(r));
    assertTrue(err(r).contains("dataset channels/cur image channels: 3/1"), err(r));
    r =
        DatasetTestData.runCommand(
            "--source=" + sq, "--dest=" + outDir.resolve("e.zip"), "--shard-size=1");
    assertEquals(1, rc(r));
    assertTrue(
        err(r).contains("power-of-two, got 100 (first image: " + sq.resolve("a.png")), err(r));
    assertOnlyEntries(outDir);
  }

  private static byte[] png(int w, int h, int type, int seed) throws Exception {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(
            x,
            y,
            0xff000000 | ((seed * 40 + x * 9) & 0xff) << 16 | ((y * 30) & 0xff) << 8 | (seed * 7));
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  @Test
  void vectorLabelsAndEscapedNamesPassThrough() throws Exception {
    // A ZIP source: entry names are UTF-8 whatever the platform's file-name encoding.
    Path src = tmp.resolve("vec-src.zip");
    try (java.util.zip.ZipOutputStream z =
        new java.util.zip.ZipOutputStream(Files.newOutputStream(src))) {
      String[] names = {"caf\u00e9.png", "b.png", "dataset.json"};
      byte[][] data = {
        png(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 1),
        png(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 2),
        "{\"labels\": [[\"caf\\u00e9.png\", [0.5, 1.0]], [\"b.png\", [0.25, -2.0]]]}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)
      };
      for (int i = 0; i < names.length; i++) {
        z.putNextEntry(new java.util.zip.ZipEntry(names[i]));
        z.write(data[i]);
        z.closeEntry();
      }
    }
    Path dest = tmp.resolve("vec.zip");
    Object[] r = DatasetTestData.runCommand("--source=" + src, "--dest=" + dest);
    assertEquals(0, rc(r), err(r));
    try (dev.cdm.model.data.ImageArchive out = dev.cdm.model.data.ImageArchive.open(dest)) {
      // b.png sorts before café.png: it is image 0.
      assertEquals("[0.25, -2.0]", out.labels().json("00000/img00000000.png"));
      assertEquals("[0.5, 1.0]", out.labels().json("00000/img00000001.png"));
      dev.cdm.model.data.DatasetLabels.Table t = out.labelTable();
      assertEquals(2, t.dim());
      float[] v = new float[2];
      t.write(1, v, 0);
      org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0.5f, 1f}, v);
    }
  }

  @Test
  void lsunLmdbConvertsToRgbInKeyOrder() throws Exception {
    Path lmdb = Files.createDirectories(tmp.resolve("bedroom_train_lmdb"));
    byte[][] records = {
      png(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 3),
      png(8, 8, java.awt.image.BufferedImage.TYPE_3BYTE_BGR, 4),
      png(8, 8, java.awt.image.BufferedImage.TYPE_4BYTE_ABGR, 5)
    };
    try (org.lmdbjava.Env<byte[]> env =
        org.lmdbjava.Env.create(org.lmdbjava.ByteArrayProxy.PROXY_BA)
            .setMapSize(16L << 20)
            .setMaxDbs(1)
            .open(lmdb.toFile())) {
      org.lmdbjava.Dbi<byte[]> db = env.openDbi((byte[]) null, org.lmdbjava.DbiFlags.MDB_CREATE);
      for (int i = records.length - 1; i >= 0; i--) {
        db.put(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), records[i]);
      }
    }
    Path dest = tmp.resolve("lsun.zip");
    Object[] r = DatasetTestData.runCommand("--source=" + lmdb, "--dest=" + dest);
    assertEquals(0, rc(r), err(r));
    try (dev.cdm.model.data.ImageArchive out = dev.cdm.model.data.ImageArchive.open(dest)) {
      assertEquals(3, out.size());
      assertFalse(out.hasLabels());
      for (int i = 0; i < 3; i++) {
        Pixels p = out.pixels(i);
        Pixels want = dev.cdm.model.data.PngCodec.decodeColor(records[i], "k" + i);
        assertEquals(3, p.channels(), "record " + i + " as RGB");
        assertEquals(want, p, "record k" + i);
      }
      assertEquals(
          out.pixels(0).get(3, 2, 0), out.pixels(0).get(3, 2, 2), "gray repeated into RGB");
    }
  }

  @Test
  void flagErrorsNameTheFlag() throws Exception {
    Path lmdb = Files.createDirectories(tmp.resolve("bedroom_train_lmdb"));
    Object[] r = DatasetTestData.runCommand("--source=" + lmdb, "--dest=" + tmp.resolve("x.zip"));
    assertEquals(1, rc(r));
    assertTrue(
        err(r).contains("--source=" + lmdb) && err(r).contains("not an LMDB folder"), err(r));
    r =
        DatasetTestData.runCommand(
            "--source=" + tmp.resolve("nope"), "--dest=" + tmp.resolve("x.zip"));
    assertTrue(err(r).contains("Missing input file or directory: --source="), err(r));
    r =
        DatasetTestData.runCommand(
            "--source=" + lmdb, "--dest=" + tmp.resolve("x.zip"), "--transform=center-crop");
    assertTrue(err(r).contains("--resolution"), err(r));
    Path full = Files.createDirectories(tmp.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "x");
    r =
        DatasetTestData.runCommand(
            "--source=" + DatasetTestData.mnistDir().resolve("train-images-idx3-ubyte.gz"),
            "--dest=" + full,
            "--max-images=2");
    assertEquals(1, rc(r));
    assertTrue(err(r).contains("--dest folder must be empty"), err(r));
  }

  @Test
  @Tag("slow")
  void flinkEmbeddedMatchesReference() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    Path ref =
        DatasetTestData.unzipResource(
            "dataset/dataset-folder-center-crop-16.zip", tmp.resolve("ref"));
    Path dest = tmp.resolve("out").resolve("crop");
    Object[] r =
        DatasetTestData.runCommand(
            "--source=" + src,
            "--dest=" + dest,
            "--transform=center-crop",
            "--resolution=16x16",
            "--shard-size=2",
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2");
    assertEquals(0, rc(r), err(r));
    assertSameDataset(DatasetTestData.decode(ref), DatasetTestData.decode(dest));
  }
}
