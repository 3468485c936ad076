package dev.cdm.pipelines.fid;

import dev.cdm.pipelines.SamplerOptions;

import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.ImageSubsets;
import dev.cdm.fid.RemoteFiles;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.transforms.fid.ExtractStatistics;
import dev.cdm.transforms.fid.ReadImageBatches;
import dev.cdm.model.sampling.SeedList;
import dev.cdm.transforms.fid.BatchImages;
import dev.cdm.transforms.fid.GeneratedImageView;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.NetworkFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
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
 * With {@code --network} instead of {@code --images}, the images are generated on the workers
 * (as {@code cdm generate}, same sampler flags) and scored without being written.
 */
@Command(name = "fid", mixinStandardHelpOptions = true,
    description = "Calculate FID for a given set of images.")
public final class FidCommand implements Callable<Integer> {
  @Option(names = "--images", paramLabel = "PATH|ZIP",
      description = "Path to the images (folder or ZIP). Or --network to score fresh samples.")
  String images;

  @Option(names = "--network", paramLabel = "PKL|URL",
      description = "Streaming FID: generate the images with this network (as cdm generate) and"
          + " score them without writing them.")
  String network;

  @Option(names = "--seeds", paramLabel = "LIST",
      description = "With --network: random seeds, e.g. 0-49999 or 1,2,5-10 (default: 0 to"
          + " num*repeats-1). Repeat r uses seeds [r*num, (r+1)*num) of the list.")
  String seeds;

  @Mixin SamplerOptions sampler;

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

  @Mixin DetectorOptions detector;

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
      if ((images == null) == (network == null)) {
        throw new IllegalArgumentException("give exactly one of --images (files) or --network"
            + " (streaming FID of fresh samples)");
      }
      if (images != null && seeds != null) {
        throw new IllegalArgumentException("--seeds needs --network (with --images, --seed picks"
            + " the subset)");
      }
      // Read the reference statistics first: a bad --ref fails before any image is decoded.
      System.err.println("Loading dataset reference statistics from \"" + ref + "\"...");
      GaussianStatistics reference = GaussianStatistics.read(RemoteFiles.localCopy(ref, "--ref"));
      detector.check();
      if (repeats < 1) {
        throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
      }
      Path resultFile = results != null ? Paths.get(results).toAbsolutePath()
          : Files.createTempFile("cdm-fid-", ".txt");
      Files.deleteIfExists(resultFile);
      ExtractStatistics statistics = detector.statistics((long) num * repeats);
      Pipeline pipeline = images != null
          ? filesPipeline(statistics, reference, resultFile)
          : streamingPipeline(statistics, reference, resultFile);
      pipeline.run().waitUntilFinish();
      FidResults fids = FidResults.read(resultFile, repeats);
      if (results == null) {
        Files.deleteIfExists(resultFile);
      }
      print(fids, detector.metricName());
      return 0;
    });
  }

  /** FID of image files: the reference's subset(s) of --images. */
  private Pipeline filesPipeline(ExtractStatistics statistics, GaussianStatistics reference,
      Path resultFile) throws java.io.IOException {
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
    System.err.println("Calculating statistics for " + num + " images"
        + (repeats > 1 ? " x " + repeats + " repeats" : "") + " of " + total + " (dimension "
        + reference.dim() + " reference)...");
    return FidPipelines.fid(runner.create(),
        ReadImageBatches.builder().setPath(imagePath.toAbsolutePath().toString())
            .setSubsets(subsets).setBatchSize(detector.batch).build(),
        statistics, ref, resultFile.toString());
  }

  /** Streaming FID: samples of --network over --seeds, scored without being written. */
  private Pipeline streamingPipeline(ExtractStatistics statistics, GaussianStatistics reference,
      Path resultFile) {
    long needed = (long) num * repeats;
    List<Long> all = seeds != null ? SeedList.parse(seeds, "--seeds")
        : SeedList.parse("0-" + (needed - 1), "--seeds");
    if (all.size() < needed) {
      throw new IllegalArgumentException("--seeds=" + seeds + " gives " + all.size()
          + " seeds, but --num=" + num + (repeats > 1 ? " x --repeats=" + repeats : "")
          + " needs " + needed);
    }
    List<List<Long>> groups = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      groups.add(new ArrayList<>(all.subList(r * num, (r + 1) * num)));
    }
    List<Long> used = all.subList(0, (int) needed);
    if (new java.util.HashSet<>(used).size() != used.size()) {
      throw new IllegalArgumentException("--seeds=" + seeds + " lists a seed twice");
    }
    List<List<Long>> seedBatches = new ArrayList<>();
    for (long[] b : SeedList.batches(used, detector.batch)) {
      List<Long> l = new ArrayList<>(b.length);
      for (long x : b) {
        l.add(x);
      }
      seedBatches.add(l);
    }
    System.err.println("Generating and scoring " + num + " images"
        + (repeats > 1 ? " x " + repeats + " repeats" : "") + " of " + network + " (dimension "
        + reference.dim() + " reference)...");
    GenerateImages generate = GenerateImages.builder()
        .network(NetworkFactory.of(network, sampler.precision))
        .sampler(sampler.spec())
        .classIdx(sampler.classIdx())
        .device(generatorDevice(detector.device))
        .progressName("fid " + network)
        .totalImages(needed)
        .build();
    return FidPipelines.streaming(runner.create(), seedBatches, generate,
        BatchImages.of(new GeneratedImageView(groups), detector.batch), statistics, ref,
        resultFile.toString());
  }

  /** The generator's device flag (cpu or gpu: one GPU per worker slot) from --device. */
  static String generatorDevice(String device) {
    String d = device.toLowerCase(java.util.Locale.ROOT);
    if (d.equals("auto")) {
      return ai.djl.engine.Engine.getInstance().getGpuCount() > 0 ? "gpu" : "cpu";
    }
    return d.startsWith("gpu") ? "gpu" : "cpu";
  }

  /**
   * Prints the result as the reference does (the value alone); with the MNIST classifier as the
   * detector the line starts with "FID-MNIST" so that it cannot pass for an Inception FID.
   */
  static void print(FidResults fids, String metric) {
    double[] v = fids.values();
    String label = metric.equals("FID") ? "" : metric + " ";
    if (v.length == 1) {
      System.out.println(label + FidResults.formatG(v[0]));
      return;
    }
    StringBuilder each = new StringBuilder();
    for (double x : v) {
      each.append(each.length() == 0 ? "" : " ").append(FidResults.formatG(x));
    }
    System.out.println(label + "fid " + each);
    System.out.println(label + "min " + FidResults.formatG(fids.min()) + " mean "
        + FidResults.formatG(fids.mean()) + " std " + FidResults.formatG(fids.std()));
  }
}
