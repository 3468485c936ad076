package dev.cdm.pipelines.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm fid --network --seeds} scores fresh samples exactly as {@code cdm generate} followed
 * by {@code cdm fid --images} scores the written PNGs.
 */
class StreamingFidTest {
  static Path fixture(String name) throws Exception {
    return Paths.get(StreamingFidTest.class.getResource("/fixtures/" + name).toURI());
  }

  @Test
  void streamingMatchesGenerateThenFid(@TempDir Path tmp) throws Exception {
    String net = "--network=" + fixture("ddpmpp-cdm-gray.pkl");
    String detector = "--detector=" + fixture("tiny-detector.pt");
    String ref = "--ref=" + fixture("fid-refA.npz");
    // Files: 128 samples written by cdm generate, scored as two random disjoint subsets of 64 (as
    // many images as the detector has features: fewer is an error).
    // Parallel worker threads: every image depends on its seed only.
    Path dir = tmp.resolve("gen");
    Object[] g =
        FidCommandsTest.cdm(
            "generate", net, "--outdir=" + dir, "--seeds=0-127", "--steps=4", "--batch=32");
    assertEquals(0, g[0], (String) g[2]);
    Path filesRes = tmp.resolve("files.txt");
    Object[] f =
        FidCommandsTest.cdm(
            "fid",
            "--images=" + dir,
            ref,
            "--num=64",
            "--repeats=2",
            "--seed=3",
            detector,
            "--device=cpu",
            "--results=" + filesRes,
            "--parallelism=2");
    assertEquals(0, f[0], (String) f[2]);
    double[] files = FidResults.read(filesRes, 2).values();
    // Streaming: the same subsets (image index = seed, names sort by seed), listed group by group.
    StringBuilder seeds = new StringBuilder();
    for (int[] subset : dev.cdm.fid.ImageSubsets.disjoint(128, 64, 2, 3)) {
      for (int i : subset) {
        seeds.append(seeds.length() == 0 ? "" : ",").append(i);
      }
    }
    Path res = tmp.resolve("streaming.txt");
    Object[] s =
        FidCommandsTest.cdm(
            "fid",
            net,
            "--seeds=" + seeds,
            "--num=64",
            "--repeats=2",
            "--steps=4",
            "--batch=32",
            ref,
            detector,
            "--device=cpu",
            "--results=" + res,
            "--parallelism=2");
    assertEquals(0, s[0], (String) s[2]);
    double[] streamed = FidResults.read(res, 2).values();
    for (int r = 0; r < 2; r++) {
      assertEquals(files[r], streamed[r], 1e-5 * Math.abs(files[r]), "repeat " + r);
    }
    assertTrue(files[0] != files[1]);
    assertTrue(((String) s[1]).contains("mean "), (String) s[1]);
  }

  @Test
  void tooFewSeedsAndConflictingFlagsAreErrors() throws Exception {
    Object[] few =
        FidCommandsTest.cdm(
            "fid",
            "--network=" + fixture("ddpmpp-cdm-gray.pkl"),
            "--seeds=0-99",
            "--num=64",
            "--repeats=2",
            "--ref=" + fixture("fid-refA.npz"),
            "--detector=" + fixture("tiny-detector.pt"));
    assertEquals(2, few[0]); // usage error
    assertTrue(((String) few[2]).contains("--seeds=0-99 gives 100 seeds"), (String) few[2]);
    Object[] both =
        FidCommandsTest.cdm(
            "fid", "--network=x.pkl", "--images=y", "--ref=" + fixture("fid-refA.npz"));
    assertEquals(2, both[0]);
    assertTrue(((String) both[2]).contains("exactly one of --images"), (String) both[2]);
  }
}
