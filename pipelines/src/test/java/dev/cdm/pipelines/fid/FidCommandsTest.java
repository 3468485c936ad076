package dev.cdm.pipelines.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.fid.GaussianStatistics;
import dev.cdm.model.io.NpzFile;
import dev.cdm.pipelines.Cdm;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidCommandsTest {
  @TempDir static Path tmp;
  static NpzFile fx;
  static Path dirA;
  static Path zipB;
  static String detector;

  static Path resource(String name) throws URISyntaxException {
    return Paths.get(FidCommandsTest.class.getResource("/fixtures/" + name).toURI());
  }

  /** Grayscale PNGs of a fixture image set, named in index order, as a folder or a ZIP. */
  static void writeImages(String key, int count, Path dest, boolean zip) throws IOException {
    byte[] pixels = fx.get(key).toUint8();
    OutputStream os = zip ? Files.newOutputStream(dest) : null;
    try (ZipOutputStream z = zip ? new ZipOutputStream(os) : null) {
      for (int i = 0; i < count; i++) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster()
            .setDataElements(
                0, 0, 32, 32, java.util.Arrays.copyOfRange(pixels, i * 1024, (i + 1) * 1024));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        String name = String.format("%05d/img%08d.png", i / 1000, i);
        if (zip) {
          z.putNextEntry(new ZipEntry(name));
          z.write(png.toByteArray());
          z.closeEntry();
        } else {
          Files.createDirectories(dest.resolve(name).getParent());
          Files.write(dest.resolve(name), png.toByteArray());
        }
      }
    }
  }

  @BeforeAll
  static void images() throws Exception {
    try (InputStream in = Files.newInputStream(resource("fid-case.npz"))) {
      fx = NpzFile.read(in, "fid-case.npz");
    }
    dirA = tmp.resolve("imagesA");
    writeImages("imagesA", 600, dirA, false);
    zipB = tmp.resolve("imagesB.zip");
    writeImages("imagesB", 600, zipB, true);
    detector = resource("tiny-detector.pt").toString();
  }

  /** Runs {@code cdm args...} in-process; returns {exit code, stdout, stderr}. */
  static Object[] cdm(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Cdm.commandLine().execute(args);
      return new Object[] {
        code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)
      };
    } finally {
      System.setOut(out);
      System.setErr(err);
      err.print(e.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void refThenFidReproduceReferenceValues() throws Exception {
    Path dest = tmp.resolve("out/refA.npz");
    Object[] r =
        cdm(
            "ref",
            "--data=" + dirA,
            "--dest=" + dest,
            "--detector=" + detector,
            "--device=cpu",
            "--batch=50");
    assertEquals(0, r[0], (String) r[2]);
    dev.cdm.pipelines.CountersLineTest.assertOneCountersLine(
        (String) r[2], "counters: fid\\.images=600 fid\\.bytes=[1-9]\\d*");
    GaussianStatistics ours = GaussianStatistics.read(dest);
    GaussianStatistics theirs = GaussianStatistics.read(resource("fid-refA.npz"));
    for (int i = 0; i < ours.mu().length; i++) {
      assertEquals(theirs.mu()[i], ours.mu()[i], 1e-6);
    }
    for (int i = 0; i < ours.sigma().length; i++) {
      assertEquals(theirs.sigma()[i], ours.sigma()[i], 1e-7);
    }

    // FID of B against the statistics we just wrote and against the reference's file.
    double expected = fx.get("fid_B_vs_A").toDoubles()[0];
    for (Path ref : new Path[] {dest, resource("fid-refA.npz")}) {
      Path results = tmp.resolve("fid-" + ref.getFileName() + ".txt");
      Object[] f =
          cdm(
              "fid",
              "--images=" + zipB,
              "--ref=" + ref,
              "--num=600",
              "--detector=" + detector,
              "--device=cpu",
              "--results=" + results);
      assertEquals(0, f[0], (String) f[2]);
      dev.cdm.pipelines.CountersLineTest.assertOneCountersLine(
          (String) f[2], "counters: fid\\.images=600 fid\\.bytes=[1-9]\\d*");
      double printed = Double.parseDouble(((String) f[1]).trim());
      assertEquals(expected, printed, 1e-4 * expected);
      double exact = FidResults.read(results, 1).values()[0];
      assertEquals(expected, exact, 1e-4 * expected);
      assertEquals(FidResults.formatG(exact), ((String) f[1]).trim());
    }

    // A against A: the reference gets ~0 (rounding noise).
    Object[] aa =
        cdm(
            "fid",
            "--images=" + dirA,
            "--ref=" + resource("fid-refA.npz"),
            "--num=600",
            "--detector=" + detector,
            "--device=cpu");
    assertEquals(0, aa[0], (String) aa[2]);
    assertTrue(Math.abs(Double.parseDouble(((String) aa[1]).trim())) < 1e-6, (String) aa[1]);
  }

  /**
   * The statistics of a data set do not depend on how its images are batched. With the detector on
   * which the CPU libtorch gave batch-dependent, NaN statistics (a 24-channel 3x3 convolution on
   * RGB 24x24 images in subfolders), {@code --batch=1} and {@code --batch=64} agree to 1e-6.
   */
  @Test
  void refStatisticsDoNotDependOnTheBatchSize() throws Exception {
    Path data = tmp.resolve("rgb24");
    java.util.Random random = new java.util.Random(5);
    for (int i = 0; i < 150; i++) {
      BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
      int base = random.nextInt(0xffffff);
      for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 24; x++) {
          img.setRGB(x, y, (base + random.nextInt(64) * (x + y)) & 0xffffff);
        }
      }
      Path file = data.resolve("class" + (i % 3)).resolve("img" + i + ".png");
      Files.createDirectories(file.getParent());
      ImageIO.write(img, "png", file.toFile());
    }
    GaussianStatistics[] stats = new GaussianStatistics[2];
    String[] batches = {"1", "64"};
    for (int k = 0; k < 2; k++) {
      Path dest = tmp.resolve("rgb24-b" + batches[k] + ".npz");
      Object[] r =
          cdm(
              "ref",
              "--data=" + data,
              "--dest=" + dest,
              "--detector=" + resource("conv24-detector.pt"),
              "--device=cpu",
              "--batch=" + batches[k]);
      assertEquals(0, r[0], (String) r[2]);
      stats[k] = GaussianStatistics.read(dest);
    }
    assertClose(stats[0].mu(), stats[1].mu(), "mu");
    assertClose(stats[0].sigma(), stats[1].sigma(), "sigma");
  }

  /** Agreement within 1e-6 relative to the largest magnitude. */
  private static void assertClose(double[] a, double[] b, String what) {
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      assertTrue(Double.isFinite(a[i]) && Double.isFinite(b[i]), what + "[" + i + "] not finite");
      scale = Math.max(scale, Math.abs(a[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    assertTrue(
        diff <= 1e-6 * scale,
        what + ": batch 1 and 64 differ by " + diff + " (scale " + scale + ")");
  }

  @Test
  void repeatsReportMinMeanStd() throws Exception {
    Path results = tmp.resolve("repeats.txt");
    Object[] f =
        cdm(
            "fid",
            "--images=" + zipB,
            "--ref=" + resource("fid-refA.npz"),
            "--num=200",
            "--repeats=3",
            "--seed=4",
            "--detector=" + detector,
            "--device=cpu",
            "--results=" + results);
    assertEquals(0, f[0], (String) f[2]);
    double[] v = FidResults.read(results, 3).values();
    assertEquals(3, v.length);
    String out = (String) f[1];
    assertTrue(
        out.contains("min " + FidResults.formatG(Math.min(v[0], Math.min(v[1], v[2])))), out);
    assertTrue(out.contains("mean ") && out.contains("std "), out);
    // Subsets are distinct images, so the values differ.
    assertTrue(v[0] != v[1] && v[1] != v[2], java.util.Arrays.toString(v));
  }

  @Test
  void tooFewImagesIsAnErrorNamingTheInput() {
    Object[] f =
        cdm(
            "fid",
            "--images=" + zipB,
            "--ref=" + tmp.resolve("unused.npz"),
            "--num=700",
            "--detector=" + detector);
    assertEquals(1, f[0]);
    assertTrue(((String) f[2]).contains("unused.npz"), (String) f[2]);
    Path ref;
    try {
      ref = resource("fid-refA.npz");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Object[] g =
        cdm("fid", "--images=" + zipB, "--ref=" + ref, "--num=700", "--detector=" + detector);
    assertEquals(1, g[0]);
    String err = (String) g[2];
    assertTrue(
        err.contains("Found 600 images, but expected at least 700") && err.contains("--images"),
        err);
  }

  @Test
  void fewerImagesThanFeaturesIsAnErrorNotANan() throws Exception {
    Path few = tmp.resolve("few");
    writeImages("imagesA", 10, few, false); // 10 images, 64 detector features
    Path dest = tmp.resolve("few.npz");
    Object[] r =
        cdm("ref", "--data=" + few, "--dest=" + dest, "--detector=" + detector, "--device=cpu");
    assertEquals(1, r[0]);
    String err = (String) r[2];
    assertTrue(err.contains("Found 10 images") && err.contains("64 features"), err);
    assertTrue(!Files.exists(dest), "no statistics file");
    Object[] f =
        cdm(
            "fid",
            "--images=" + few,
            "--ref=" + resource("fid-refA.npz"),
            "--num=10",
            "--detector=" + detector,
            "--device=cpu");
    assertEquals(2, f[0]); // a usage error: --num against --ref
    assertTrue(
        ((String) f[2]).contains("--num=10") && ((String) f[2]).contains("64 features"),
        (String) f[2]);
  }

  @Test
  void badReferenceStatisticsAreAClearError() throws IOException {
    Path bad = tmp.resolve("bad.npz");
    java.util.Map<String, dev.cdm.model.io.NpyArray> arrays = new java.util.LinkedHashMap<>();
    arrays.put("mu", dev.cdm.model.io.NpyArray.ofDoubles(new double[64], 64));
    NpzFile.write(bad, arrays);
    Object[] f =
        cdm("fid", "--images=" + zipB, "--ref=" + bad, "--num=600", "--detector=" + detector);
    assertEquals(1, f[0]);
    assertTrue(
        ((String) f[2]).contains("bad.npz") && ((String) f[2]).contains("'sigma'"), (String) f[2]);
  }

  @Test
  void brokenDetectorIsAClearError() throws Exception {
    Object[] f =
        cdm(
            "ref",
            "--data=" + dirA,
            "--dest=" + tmp.resolve("x.npz"),
            "--detector=" + tmp.resolve("missing.pt"),
            "--device=cpu");
    assertEquals(1, f[0]);
    assertTrue(
        ((String) f[2]).contains("--detector=") && ((String) f[2]).contains("missing.pt"),
        (String) f[2]);
    Path junk = tmp.resolve("junk.pt");
    Files.writeString(junk, "not a TorchScript file");
    Object[] g =
        cdm(
            "ref",
            "--data=" + dirA,
            "--dest=" + tmp.resolve("y.npz"),
            "--detector=" + junk,
            "--device=cpu");
    assertEquals(1, g[0]);
    assertTrue(
        ((String) g[2]).contains("junk.pt") && ((String) g[2]).contains("TorchScript"),
        (String) g[2]);
    assertTrue(!Files.exists(tmp.resolve("y.npz")));
  }

  @Test
  @Tag("slow")
  void refOnFlinkEmbeddedMatchesDirect() throws Exception {
    Path dest = tmp.resolve("flink/refA.npz");
    Object[] r =
        cdm(
            "ref",
            "--data=" + dirA,
            "--dest=" + dest,
            "--detector=" + detector,
            "--device=cpu",
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2");
    assertEquals(0, r[0], (String) r[2]);
    GaussianStatistics ours = GaussianStatistics.read(dest);
    GaussianStatistics theirs = GaussianStatistics.read(resource("fid-refA.npz"));
    for (int i = 0; i < ours.sigma().length; i++) {
      assertEquals(theirs.sigma()[i], ours.sigma()[i], 1e-7);
    }
  }

  @Test
  void formatsLikePythonG() {
    assertEquals("0.00804491", FidResults.formatG(0.008044914639542591));
    assertEquals("2.34", FidResults.formatG(2.34));
    assertEquals("123457", FidResults.formatG(123456.7));
    assertEquals("1.23457e+06", FidResults.formatG(1234567));
    assertEquals("-5.18781e-11", FidResults.formatG(-5.187814476506451E-11));
    assertEquals("0", FidResults.formatG(0));
    assertArrayEquals(new double[] {1, 2}, new FidResults(new double[] {1, 2}).values());
    assertEquals(0.5, new FidResults(new double[] {1, 2}).std(), 0);
  }
}
