package dev.cdm.pipelines.fid;

import static dev.cdm.pipelines.fid.FidCommandsTest.cdm;
import static dev.cdm.pipelines.fid.FidCommandsTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.fid.GaussianStatistics;
import dev.cdm.model.io.NpzFile;
import dev.cdm.transforms.io.MemFileSystem;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm ref} and {@code cdm fid} with every input and output on a non-local Beam file system
 * ({@code mem://}, which takes the code paths of {@code gs://}): images as a folder and as a ZIP,
 * the detector, the statistics (also with a KID feature sample) and the results.
 */
class NonLocalFidCommandsTest {
  private static final String ROOT = "mem://fid-bucket/";
  @TempDir static Path tmp;

  @BeforeAll
  static void inputsOnMem() throws Exception {
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
    try (InputStream in = Files.newInputStream(resource("fid-case.npz"))) {
      FidCommandsTest.fx = NpzFile.read(in, "fid-case.npz");
    }
    Path dirA = tmp.resolve("imagesA");
    FidCommandsTest.writeImages("imagesA", 600, dirA, false);
    Path zipB = tmp.resolve("imagesB.zip");
    FidCommandsTest.writeImages("imagesB", 600, zipB, true);
    try (Stream<Path> s = Files.walk(dirA)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        MemFileSystem.put(ROOT + "imagesA/" + dirA.relativize(p), Files.readAllBytes(p));
      }
    }
    MemFileSystem.put(ROOT + "imagesB.zip", Files.readAllBytes(zipB));
    MemFileSystem.put(ROOT + "detector.pt", Files.readAllBytes(resource("tiny-detector.pt")));
  }

  @AfterAll
  static void clear() {
    MemFileSystem.clear(ROOT);
    System.clearProperty("cdm.cache");
  }

  private static GaussianStatistics stats(String location) throws Exception {
    return GaussianStatistics.from(
        NpzFile.read(new ByteArrayInputStream(MemFileSystem.get(location)), location));
  }

  @Test
  void refAndFidReadAndWriteANonLocalScheme() throws Exception {
    Object[] r =
        cdm(
            "ref",
            "--data=" + ROOT + "imagesA",
            "--dest=" + ROOT + "stats/refA.npz",
            "--detector=" + ROOT + "detector.pt",
            "--device=cpu",
            "--batch=50",
            "--features=100");
    assertEquals(0, r[0], (String) r[2]);
    GaussianStatistics ours = stats(ROOT + "stats/refA.npz");
    GaussianStatistics theirs = GaussianStatistics.read(resource("fid-refA.npz"));
    for (int i = 0; i < ours.mu().length; i++) {
      assertEquals(theirs.mu()[i], ours.mu()[i], 1e-6);
    }
    NpzFile npz =
        NpzFile.read(new ByteArrayInputStream(MemFileSystem.get(ROOT + "stats/refA.npz")), "refA");
    assertEquals(100, npz.get("features").shape()[0], "the KID feature sample is in the same file");

    double expected = FidCommandsTest.fx.get("fid_B_vs_A").toDoubles()[0];
    Object[] f =
        cdm(
            "fid",
            "--images=" + ROOT + "imagesB.zip",
            "--ref=" + ROOT + "stats/refA.npz",
            "--num=600",
            "--detector=" + ROOT + "detector.pt",
            "--device=cpu",
            "--results=" + ROOT + "results/fid.txt");
    assertEquals(0, f[0], (String) f[2]);
    assertEquals(expected, Double.parseDouble(((String) f[1]).trim()), 1e-4 * expected);
    String written =
        new String(
            MemFileSystem.get(ROOT + "results/fid.txt"), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(expected, Double.parseDouble(written.trim().split("\\s+")[1]), 1e-4 * expected);

    // Nothing staged is left: only the outputs and the inputs.
    assertEquals(List.of(ROOT + "results/fid.txt"), MemFileSystem.names(ROOT + "results/"));
    assertEquals(List.of(ROOT + "stats/refA.npz"), MemFileSystem.names(ROOT + "stats/"));
  }

  @Test
  void aMissingRemoteInputIsNamed() throws Exception {
    Object[] f =
        cdm(
            "fid",
            "--images=" + ROOT + "nothing-here",
            "--ref=" + resource("fid-refA.npz"),
            "--num=600",
            "--detector=" + ROOT + "detector.pt",
            "--device=cpu");
    assertEquals(1, f[0]);
    assertTrue(
        ((String) f[2]).contains("--images=" + ROOT + "nothing-here: not found"), (String) f[2]);
    assertTrue(!((String) f[2]).contains("Loading dataset reference"), (String) f[2]);
    Object[] r =
        cdm(
            "ref",
            "--data=" + ROOT + "nothing-here",
            "--dest=" + ROOT + "stats/x.npz",
            "--detector=" + ROOT + "detector.pt",
            "--device=cpu");
    assertEquals(1, r[0]);
    assertTrue(
        ((String) r[2]).contains("--data=" + ROOT + "nothing-here: not found"), (String) r[2]);
    Object[] g =
        cdm(
            "fid",
            "--images=" + ROOT + "imagesB.zip",
            "--ref=" + ROOT + "stats/none.npz",
            "--num=600",
            "--detector=" + ROOT + "detector.pt",
            "--device=cpu");
    assertTrue(((String) g[2]).contains("--ref=" + ROOT + "stats/none.npz"), (String) g[2]);
  }
}
