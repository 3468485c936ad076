package dev.cdm.pipelines.fid;

import dev.cdm.fid.ImageSubsets;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import dev.cdm.pipelines.BeamOptions;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.Inputs;
import dev.cdm.pipelines.Outputs;
import dev.cdm.pipelines.PipelineCounters;
import dev.cdm.pipelines.PipelineRuns;
import dev.cdm.transforms.fid.ReadImageBatches;
import dev.cdm.transforms.fid.WriteFeatureSample;
import dev.cdm.transforms.io.AtomicFiles;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cdm ref}: reference statistics of a dataset, as the reference's {@code fid.py ref}. */
@Command(
    name = "ref",
    mixinStandardHelpOptions = true,
    description =
        "Calculate dataset reference statistics (mu, sigma of detector features) needed by 'fid'.")
public final class RefCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "PATH|ZIP",
      description = "Path to the dataset (folder or ZIP of images).")
  String data;

  @Option(
      names = "--dest",
      required = true,
      paramLabel = "NPZ",
      description = "Destination .npz file (keys mu, sigma).")
  String dest;

  @Option(
      names = "--features",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Also store the features of N randomly chosen images under the key 'features'"
              + " (what cdm evaluate needs for KID; e.g. 10000) (default: ${DEFAULT-VALUE}).")
  int features;

  @Mixin DetectorOptions detector;

  @Mixin BeamOptions beam;

  @Override
  public Integer call() throws Exception {
    beam.create(); // a bad Beam option is a usage error before any work
    detector.checkFlags();
    if (features < 0) {
      throw CommandErrors.usage("--features must be >= 0, got " + features);
    }
    Inputs.checkImages("--data", data);
    Outputs.checkFile("--dest", dest);
    String data = AtomicFiles.absolute(this.data);
    int total;
    try (ImageArchive archive = AtomicFiles.openArchive(data)) {
      total = archive.size();
    }
    if (total < 2) {
      throw new IllegalArgumentException(
          "--data="
              + this.data
              + ": found "
              + total
              + " images, but need at least 2 to compute statistics");
    }
    detector.fetch();
    // Written once by a worker through the file layer (a local path, gs:// or any Beam file
    // system) under a fresh name beside --dest, then renamed onto --dest by this command.
    String destPath = AtomicFiles.absolute(dest);
    String staged = AtomicFiles.stagingFor(destPath);
    System.err.println("Calculating statistics for " + total + " images from " + data + "...");
    PipelineCounters counters = new PipelineCounters();
    try {
      counters.add(
          PipelineRuns.runToEnd(
              FidPipelines.reference(
                  beam.create(),
                  ReadImageBatches.builder()
                      .setPath(data)
                      .setSubsets(ImageSubsets.disjoint(total, total, 1, 0))
                      .setBatchSize(detector.batch)
                      .build(),
                  detector.statistics(total),
                  staged),
              "the statistics pipeline"));
      if (!AtomicFiles.exists(staged)) {
        throw new IllegalStateException("the pipeline finished without writing " + staged);
      }
      if (features > 0) {
        addFeatureSample(data, total, staged, destPath, counters);
      } else {
        AtomicFiles.move(staged, destPath);
      }
    } finally {
      AtomicFiles.delete(staged);
    }
    counters.print();
    System.err.println("Saved dataset reference statistics to " + destPath + ".");
    return 0;
  }

  /**
   * Features of min(--features, all) images of a seeded random subset, added to the statistics
   * {@code staged}; the whole written to {@code destPath}.
   */
  private void addFeatureSample(
      String data, int total, String staged, String destPath, PipelineCounters counters)
      throws java.io.IOException {
    int n = Math.min(features, total);
    System.err.println("Storing the features of " + n + " images for KID...");
    String sample = AtomicFiles.stagingFor(destPath);
    try {
      Pipeline p = Pipeline.create(beam.create());
      p.apply(
              "ReadImages",
              ReadImageBatches.builder()
                  .setPath(data)
                  .setSubsets(ImageSubsets.disjoint(total, n, 1, 0))
                  .setBatchSize(detector.batch)
                  .build())
          .apply(
              "FeatureSample",
              new WriteFeatureSample(detector.detector, detector.device.device, sample));
      counters.add(PipelineRuns.runToEnd(p, "the statistics pipeline"));
      java.util.Map<String, NpyArray> arrays = new java.util.LinkedHashMap<>(read(staged).arrays());
      arrays.putAll(read(sample).arrays());
      AtomicFiles.write(destPath, NpzFile.toBytes(arrays));
    } finally {
      AtomicFiles.delete(sample);
    }
  }

  private static NpzFile read(String location) throws java.io.IOException {
    try (java.io.InputStream in = AtomicFiles.open(location)) {
      return NpzFile.read(in, location);
    }
  }
}
