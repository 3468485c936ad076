package dev.cdm.pipelines.fid;

import dev.cdm.fid.ImageSubsets;
import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import dev.cdm.transforms.fid.WriteFeatureSample;
import org.apache.beam.sdk.Pipeline;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.pipelines.BeamOptions;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.Outputs;
import dev.cdm.transforms.fid.ReadImageBatches;
import dev.cdm.transforms.generate.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cdm ref}: reference statistics of a dataset, as the reference's {@code fid.py ref}. */
@Command(name = "ref", mixinStandardHelpOptions = true,
    description = "Calculate dataset reference statistics (mu, sigma of detector features) needed by 'fid'.")
public final class RefCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "PATH|ZIP",
      description = "Path to the dataset (folder or ZIP of images).")
  String data;

  @Option(names = "--dest", required = true, paramLabel = "NPZ",
      description = "Destination .npz file (keys mu, sigma).")
  String dest;

  @Option(names = "--features", defaultValue = "0", paramLabel = "N",
      description = "Also store the features of N randomly chosen images under the key 'features'"
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
    Outputs.checkFile("--dest", dest);
    Path data = Paths.get(this.data);
    int total;
    try (ImageArchive archive = ImageArchive.open(data)) {
      total = archive.size();
    }
    if (total < 2) {
      throw new IllegalArgumentException(
          "--data=" + this.data + ": found " + total + " images, but need at least 2 to compute statistics");
    }
    detector.fetch();
    // Written by a worker through the file layer: a local path or gs:// (any Beam file system).
    String destPath = AtomicFiles.isLocalPath(dest) ? Paths.get(dest).toAbsolutePath().toString()
        : dest;
    if (features > 0 && !AtomicFiles.isLocalPath(dest)) {
      throw CommandErrors.usage("--features needs a local --dest, got " + dest);
    }
    System.err.println("Calculating statistics for " + total + " images from " + data + "...");
    FidPipelines.reference(beam.create(),
        ReadImageBatches.builder().setPath(data.toAbsolutePath().toString())
            .setSubsets(ImageSubsets.disjoint(total, total, 1, 0)).setBatchSize(detector.batch).build(),
        detector.statistics(total),
        destPath)
        .run().waitUntilFinish();
    if (!AtomicFiles.exists(destPath)) {
      throw new IllegalStateException("the pipeline finished without writing " + destPath);
    }
    if (features > 0) {
      addFeatureSample(data, total, Paths.get(destPath));
    }
    System.err.println("Saved dataset reference statistics to " + destPath + ".");
    return 0;
  }

  /** Features of min(--features, all) images of a seeded random subset, added to the .npz. */
  private void addFeatureSample(Path data, int total, Path destPath) throws java.io.IOException {
    int n = Math.min(features, total);
    System.err.println("Storing the features of " + n + " images for KID...");
    Path sample = dev.cdm.fid.TempFiles.besides(destPath);
    try {
      Pipeline p = Pipeline.create(beam.create());
      p.apply("ReadImages", ReadImageBatches.builder().setPath(data.toAbsolutePath().toString())
              .setSubsets(ImageSubsets.disjoint(total, n, 1, 0)).setBatchSize(detector.batch).build())
          .apply("FeatureSample", new WriteFeatureSample(detector.detector, detector.device.device,
              sample.toString()));
      p.run().waitUntilFinish();
      java.util.Map<String, NpyArray> arrays = new java.util.LinkedHashMap<>(NpzFile.read(destPath).arrays());
      arrays.putAll(NpzFile.read(sample).arrays());
      NpzFile.write(destPath, arrays);
    } finally {
      Files.deleteIfExists(sample);
    }
  }
}
