package dev.cdm.pipelines.fid;

import dev.cdm.fid.ImageSubsets;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.transforms.fid.ReadImageBatches;
import dev.cdm.transforms.generate.AtomicFiles;
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

  @Mixin DetectorOptions detector;

  @Mixin RunnerOptions runner;

  @Override
  public Integer call() {
    return CommandErrors.run("ref", () -> {
      detector.check();
      Path data = Paths.get(this.data);
      int total;
      try (ImageArchive archive = ImageArchive.open(data)) {
        total = archive.size();
      }
      if (total < 2) {
        throw new IllegalArgumentException(
            "--data=" + this.data + ": found " + total + " images, but need at least 2 to compute statistics");
      }
      // Written by a worker through the file layer: a local path or gs:// (any Beam file system).
      String destPath = AtomicFiles.isLocalPath(dest) ? Paths.get(dest).toAbsolutePath().toString()
          : dest;
      System.err.println("Calculating statistics for " + total + " images from " + data + "...");
      FidPipelines.reference(runner.create(),
          ReadImageBatches.builder().setPath(data.toAbsolutePath().toString())
              .setSubsets(ImageSubsets.disjoint(total, total, 1, 0)).setBatchSize(detector.batch).build(),
          detector.statistics(total),
          destPath)
          .run().waitUntilFinish();
      if (!AtomicFiles.exists(destPath)) {
        throw new IllegalStateException("the pipeline finished without writing " + destPath);
      }
      System.err.println("Saved dataset reference statistics to " + destPath + ".");
      return 0;
    });
  }
}
