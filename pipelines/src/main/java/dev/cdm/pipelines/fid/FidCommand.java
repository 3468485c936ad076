package dev.cdm.pipelines.fid;

import dev.cdm.fid.Detector;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.ImageSubsets;
import dev.cdm.fid.RemoteFiles;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.transforms.fid.ExtractStatistics;
import dev.cdm.transforms.fid.ReadImageBatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm fid}: FID of a folder/ZIP of images against reference statistics, as the reference's
 * {@code fid.py calc}: exactly {@code --num} images (an error when fewer exist; the reference's
 * seeded subset, NumPy's MT19937 shuffle, when more). {@code --repeats N} scores N disjoint
 * subsets of the same permutation (the first is the reference's) and reports min, mean and std.
 */
@Command(name = "fid", mixinStandardHelpOptions = true,
    description = "Calculate FID for a given set of images.")
public final class FidCommand implements Callable<Integer> {
  @Option(names = "--images", required = true, paramLabel = "PATH|ZIP",
      description = "Path to the images (folder or ZIP).")
  String images;

  @Option(names = "--ref", required = true, paramLabel = "NPZ|URL",
      description = "Dataset reference statistics (.npz with mu, sigma; path, http(s) or gs://).")
  String ref;

  @Option(names = "--num", defaultValue = "50000", paramLabel = "INT",
      description = "Number of images to use (default: ${DEFAULT-VALUE}).")
  int num;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "INT",
      description = "Random seed for selecting the images (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--repeats", defaultValue = "1", paramLabel = "N",
      description = "Score N disjoint subsets of --num images; print min, mean, std (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "INT",
      description = "Maximum batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--detector", defaultValue = Detector.INCEPTION_URL, paramLabel = "PT|URL",
      description = "TorchScript feature detector: path, http(s) URL or gs:// (default: Inception-v3).")
  String detector;

  @Option(names = "--device", defaultValue = "auto",
      description = "Detector device: auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--results", paramLabel = "FILE",
      description = "Also keep the per-repeat FID values (full precision) in this file.")
  String results;

  @Mixin RunnerOptions runner;

  @Override
  public Integer call() {
    return CommandErrors.run("fid", () -> {
      if (num < 2) {
        throw new IllegalArgumentException("--num must be at least 2, got " + num);
      }
      if (batch < 1) {
        throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
      }
      // Read the reference statistics first: a bad --ref fails before any image is decoded.
      System.err.println("Loading dataset reference statistics from \"" + ref + "\"...");
      GaussianStatistics reference = GaussianStatistics.read(RemoteFiles.localCopy(ref, "--ref"));
      // Fetch (or find) the detector before the pipeline starts, so a bad --detector fails fast.
      RemoteFiles.localCopy(detector, "--detector");
      Path imagePath = Paths.get(images);
      int total;
      try (ImageArchive archive = ImageArchive.open(imagePath)) {
        total = archive.size();
      }
      int[][] subsets;
      try {
        subsets = ImageSubsets.disjoint(total, num, repeats, seed);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--images=" + images + ": " + e.getMessage(), e);
      }
      Path resultFile = results != null ? Paths.get(results).toAbsolutePath()
          : Files.createTempFile("cdm-fid-", ".txt");
      Files.deleteIfExists(resultFile);
      System.err.println("Calculating statistics for " + num + " images"
          + (repeats > 1 ? " x " + repeats + " repeats" : "") + " of " + total + " (dimension "
          + reference.dim() + " reference)...");
      FidPipelines.fid(runner.create(),
          ReadImageBatches.builder().setPath(imagePath.toAbsolutePath().toString())
              .setSubsets(subsets).setBatchSize(batch).build(),
          ExtractStatistics.builder().setDetector(detector).setDevice(device)
              .setMaxBatch(batch).setExpectedImages((long) num * repeats).build(),
          ref, resultFile.toString())
          .run().waitUntilFinish();
      FidResults fids = FidResults.read(resultFile, repeats);
      if (results == null) {
        Files.deleteIfExists(resultFile);
      }
      print(fids);
      return 0;
    });
  }

  static void print(FidResults fids) {
    double[] v = fids.values();
    if (v.length == 1) {
      System.out.println(FidResults.formatG(v[0]));
      return;
    }
    StringBuilder each = new StringBuilder();
    for (double x : v) {
      each.append(each.length() == 0 ? "" : " ").append(FidResults.formatG(x));
    }
    System.out.println("fid " + each);
    System.out.println("min " + FidResults.formatG(fids.min()) + " mean "
        + FidResults.formatG(fids.mean()) + " std " + FidResults.formatG(fids.std()));
  }
}
