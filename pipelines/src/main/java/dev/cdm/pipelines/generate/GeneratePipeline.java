package dev.cdm.pipelines.generate;

import dev.cdm.model.data.PngCodec;
import dev.cdm.model.sampling.SeedList;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.ImagePaths;
import dev.cdm.transforms.generate.SeedBatches;
import dev.cdm.transforms.generate.WriteImages;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;

/**
 * {@code cdm generate}: seeds → batches → generate on each worker's device → PNG per seed.
 *
 * <pre>
 *   SeedBatches (one split per batch: workers take the next batch as they finish one)
 *     → GenerateImages (load network once per worker, sample)
 *     → WriteImages ({seed:06d}.png, atomic, idempotent)
 * </pre>
 */
public final class GeneratePipeline {
  private GeneratePipeline() {}

  /**
   * The seeds still to generate: all, or with {@code resume} those without a complete image (one
   * cut short by a killed run is generated again). Files left half-written by an interrupted run
   * are removed first, and said so.
   */
  static List<Long> pendingSeeds(GenerateJob job) throws IOException {
    int leftovers = AtomicFiles.removeLeftovers(job.outdir());
    if (leftovers > 0) {
      System.err.println(
          "Removed "
              + leftovers
              + " unfinished image file"
              + (leftovers == 1 ? "" : "s")
              + " left in \""
              + job.outdir()
              + "\" by an interrupted run.");
    }
    if (!job.resume()) {
      return job.seeds();
    }
    List<Long> pending = new ArrayList<>();
    int broken = 0;
    for (long s : job.seeds()) {
      String location = ImagePaths.of(job.outdir(), s, job.subdirs());
      if (!AtomicFiles.exists(location)) {
        pending.add(s);
      } else if (!PngCodec.isComplete(AtomicFiles.read(location))) {
        pending.add(s);
        broken++;
      }
    }
    System.err.println(
        "--resume: "
            + (job.seeds().size() - pending.size())
            + " of "
            + job.seeds().size()
            + " images exist in \""
            + job.outdir()
            + "\""
            + (broken > 0 ? ", " + broken + " incomplete ones are made again" : "")
            + "; "
            + pending.size()
            + " to generate.");
    return pending;
  }

  /** Adds the job to {@code p}; returns the number of images it will write. */
  public static int build(Pipeline p, GenerateJob job) throws IOException {
    List<Long> seeds = pendingSeeds(job);
    List<List<Long>> batches = SeedList.batches(seeds, job.batch());
    p.apply("SeedBatches", SeedBatches.of(batches))
        .apply(
            "Generate",
            GenerateImages.builder()
                .setNetwork(job.network())
                .setSampler(job.sampler())
                .setClassIdx(job.classIdx())
                .setDevice(job.device())
                .setProgressName("generate " + job.outdir())
                .setTotalImages(seeds.size())
                .setSpread(false) // SeedBatches hands the batches out as workers ask
                .build())
        .apply("Write", new WriteImages(job.outdir(), job.subdirs()));
    return seeds.size();
  }
}
