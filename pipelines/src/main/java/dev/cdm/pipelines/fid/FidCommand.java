package dev.cdm.pipelines.fid;

import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.ImageSubsets;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.sampling.SeedList;
import dev.cdm.pipelines.BeamOptions;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.Inputs;
import dev.cdm.pipelines.NetworkCheck;
import dev.cdm.pipelines.Outputs;
import dev.cdm.pipelines.PipelineCounters;
import dev.cdm.pipelines.PipelineRuns;
import dev.cdm.pipelines.SamplerOptions;
import dev.cdm.transforms.fid.BatchImages;
import dev.cdm.transforms.fid.ExtractStatistics;
import dev.cdm.transforms.fid.GeneratedImageView;
import dev.cdm.transforms.fid.ReadImageBatches;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.StoredNetwork;
import dev.cdm.transforms.io.AtomicFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm fid}: FID of a folder/ZIP of images against reference statistics, as the reference's
 * {@code fid.py calc}: exactly {@code --num} images (an error when fewer exist; the reference's
 * seeded subset, NumPy's MT19937 shuffle, when more). {@code --repeats N} scores N disjoint subsets
 * of the same permutation (the first is the reference's) and reports min, mean and std. With {@code
 * --network} instead of {@code --images}, the images are generated on the workers (as {@code cdm
 * generate}, same sampler flags) and scored without being written.
 */
@Command(
    name = "fid",
    mixinStandardHelpOptions = true,
    description = "Calculate FID for a given set of images.")
public final class FidCommand implements Callable<Integer> {
  @Option(
      names = "--images",
      paramLabel = "PATH|ZIP",
      description = "Path to the images (folder or ZIP). Or --network to score fresh samples.")
  String images;

  @Option(
      names = "--network",
      paramLabel = "PKL|URL",
      description =
          "Streaming FID: generate the images with this network (as cdm generate) and"
              + " score them without writing them.")
  String network;

  @Option(
      names = "--seeds",
      paramLabel = "LIST",
      description =
          "With --network: random seeds, e.g. 0-49999 or 1,2,5-10 (default: 0 to"
              + " num*repeats-1). Repeat r uses seeds [r*num, (r+1)*num) of the list.")
  String seeds;

  @Mixin SamplerOptions sampler;

  @Option(
      names = "--ref",
      required = true,
      paramLabel = "NPZ|URL",
      description = "Dataset reference statistics (.npz with mu, sigma; path, http(s) or gs://).")
  String ref;

  @Option(
      names = "--num",
      defaultValue = "50000",
      paramLabel = "INT",
      description = "Number of images to use (default: ${DEFAULT-VALUE}).")
  int num;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "INT",
      description = "Random seed for selecting the images (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--repeats",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Score N disjoint subsets of --num images; print min, mean, std (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Mixin DetectorOptions detector;

  @Option(
      names = "--results",
      paramLabel = "FILE",
      description = "Also keep the per-repeat FID values (full precision) in this file.")
  String results;

  @Mixin BeamOptions beam;

  @Override
  public Integer call() throws Exception {
    beam.create(); // a bad Beam option is a usage error before any work
    if (num < 2) {
      throw CommandErrors.usage("--num must be at least 2, got " + num);
    }
    if (repeats < 1) {
      throw CommandErrors.usage("--repeats must be at least 1, got " + repeats);
    }
    if ((images == null) == (network == null)) {
      throw CommandErrors.usage(
          "give exactly one of --images (files) or --network"
              + " (streaming FID of fresh samples)");
    }
    if (images != null && seeds != null) {
      throw CommandErrors.usage("--seeds needs --network (with --images, --seed picks the subset)");
    }
    detector.checkFlags();
    if (results != null) {
      Outputs.checkFile("--results", results);
    }
    if (images != null) {
      Inputs.checkImages("--images", images);
    }
    List<List<Long>> seedGroups = null;
    if (network != null) {
      seedGroups = seedGroups();
      sampler.spec();
      NetworkCheck.of(network, "--network").checkClass(sampler.classIdx());
    }
    // Read the reference statistics first: a bad --ref fails before any image is decoded.
    System.err.println("Loading dataset reference statistics from \"" + ref + "\"...");
    GaussianStatistics reference = ReferenceStatistics.read(ref, num);
    detector.fetch();
    // A worker writes the result file (once, under a fresh name) and this command reads it: give
    // a location both reach on a multi-host cluster (--results, or Beam's --tempLocation, e.g.
    // gs://bucket/tmp); the command then renames it onto --results.
    String resultFile = resultLocation();
    ExtractStatistics statistics = detector.statistics((long) num * repeats);
    FidResults fids;
    try {
      Pipeline pipeline =
          images != null
              ? filesPipeline(statistics, reference, resultFile)
              : streamingPipeline(statistics, reference, resultFile, seedGroups);
      PipelineCounters counters =
          PipelineCounters.of(PipelineRuns.runToEnd(pipeline, "the FID pipeline"));
      fids = FidResults.read(resultFile, repeats);
      counters.print();
      if (results != null) {
        AtomicFiles.move(resultFile, AtomicFiles.absolute(results));
      }
    } finally {
      AtomicFiles.delete(resultFile);
    }
    print(fids, detector.metricName());
    return 0;
  }

  /** The --seeds of each repeat (streaming FID); errors name the flags. */
  private List<List<Long>> seedGroups() {
    long needed = (long) num * repeats;
    List<Long> all;
    try {
      all =
          seeds != null
              ? SeedList.parse(seeds, "--seeds")
              : SeedList.parse("0-" + (needed - 1), "--seeds");
    } catch (IllegalArgumentException e) {
      throw CommandErrors.usage(e.getMessage());
    }
    if (all.size() < needed) {
      throw CommandErrors.usage(
          "--seeds="
              + seeds
              + " gives "
              + all.size()
              + " seeds, but --num="
              + num
              + (repeats > 1 ? " x --repeats=" + repeats : "")
              + " needs "
              + needed);
    }
    List<Long> used = all.subList(0, (int) needed);
    if (new java.util.HashSet<>(used).size() != used.size()) {
      throw CommandErrors.usage("--seeds=" + seeds + " lists a seed twice");
    }
    List<List<Long>> groups = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      groups.add(new ArrayList<>(all.subList(r * num, (r + 1) * num)));
    }
    return groups;
  }

  /** A fresh name beside --results, else under --tempLocation, else a local temporary file. */
  private String resultLocation() throws java.io.IOException {
    if (results != null) {
      return AtomicFiles.stagingFor(AtomicFiles.absolute(results));
    }
    String temp = beam.create().getTempLocation();
    if (temp != null && !temp.isEmpty()) {
      return temp.replaceAll("/+$", "") + "/cdm-fid-" + java.util.UUID.randomUUID() + ".txt";
    }
    // A fresh name, not a created file: the job creates it once.
    return java.nio.file.Paths.get(
            System.getProperty("java.io.tmpdir"), "cdm-fid-" + java.util.UUID.randomUUID() + ".txt")
        .toString();
  }

  /** FID of image files: the reference's subset(s) of --images. */
  private Pipeline filesPipeline(
      ExtractStatistics statistics, GaussianStatistics reference, String resultFile)
      throws java.io.IOException {
    String imagePath = AtomicFiles.absolute(images);
    int total;
    try (ImageArchive archive = AtomicFiles.openArchive(imagePath)) {
      total = archive.size();
    }
    int[][] subsets;
    try {
      subsets = ImageSubsets.disjoint(total, num, repeats, seed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--images=" + images + ": " + e.getMessage(), e);
    }
    System.err.println(
        "Calculating statistics for "
            + num
            + " images"
            + (repeats > 1 ? " x " + repeats + " repeats" : "")
            + " of "
            + total
            + " (dimension "
            + reference.dim()
            + " reference)...");
    return FidPipelines.fid(
        beam.create(),
        ReadImageBatches.builder()
            .setPath(imagePath)
            .setSubsets(subsets)
            .setBatchSize(detector.batch)
            .build(),
        statistics,
        ref,
        resultFile);
  }

  /** Streaming FID: samples of --network over --seeds, scored without being written. */
  private Pipeline streamingPipeline(
      ExtractStatistics statistics,
      GaussianStatistics reference,
      String resultFile,
      List<List<Long>> groups) {
    long needed = (long) num * repeats;
    List<Long> used = new ArrayList<>();
    groups.forEach(used::addAll);
    List<List<Long>> seedBatches = SeedList.batches(used, detector.batch);
    System.err.println(
        "Generating and scoring "
            + num
            + " images"
            + (repeats > 1 ? " x " + repeats + " repeats" : "")
            + " of "
            + network
            + " (dimension "
            + reference.dim()
            + " reference)...");
    GenerateImages generate =
        GenerateImages.builder()
            .setNetwork(StoredNetwork.of(network, sampler.precision))
            .setSampler(sampler.spec())
            .setClassIdx(sampler.classIdx())
            .setDevice(detector.device.device)
            .setProgressName("fid " + network)
            .setTotalImages(needed)
            .setSpread(false) // FidPipelines.streaming reads them from SeedBatches
            .build();
    return FidPipelines.streaming(
        beam.create(),
        seedBatches,
        generate,
        BatchImages.of(new GeneratedImageView(groups), detector.batch),
        statistics,
        ref,
        resultFile);
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
    System.out.println(
        label
            + "min "
            + FidResults.formatG(fids.min())
            + " mean "
            + FidResults.formatG(fids.mean())
            + " std "
            + FidResults.formatG(fids.std()));
  }
}
