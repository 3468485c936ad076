package dev.cdm.pipelines.generate;

import dev.cdm.model.sampling.SeedList;
import dev.cdm.transforms.generate.AtomicFiles;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.ImagePaths;
import dev.cdm.transforms.generate.WriteImages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;

/**
 * {@code cdm generate}: seeds → batches → generate on each worker's device → PNG per seed.
 *
 * <pre>
 *   Create(seed batches) → GenerateImages (reshuffle, load network once per worker, sample)
 *                        → WriteImages ({seed:06d}.png, atomic, idempotent)
 * </pre>
 */
public final class GeneratePipeline {
  private static final Logger LOG = Logger.getLogger(GeneratePipeline.class.getName());

  private GeneratePipeline() {}

  /** The seeds still to generate: all, or with {@code resume} those without an image. */
  static List<Long> pendingSeeds(GenerateJob job) throws IOException {
    if (!job.resume()) {
      return job.seeds();
    }
    List<Long> pending = new ArrayList<>();
    for (long s : job.seeds()) {
      if (!AtomicFiles.exists(ImagePaths.of(job.outdir(), s, job.subdirs()))) {
        pending.add(s);
      }
    }
    LOG.info(
        "--resume: " + (job.seeds().size() - pending.size()) + " of " + job.seeds().size()
            + " images exist in " + job.outdir() + ", " + pending.size() + " to generate");
    return pending;
  }

  /** Adds the job to {@code p}; returns the number of images it will write. */
  public static int build(Pipeline p, GenerateJob job) throws IOException {
    List<Long> seeds = pendingSeeds(job);
    List<List<Long>> batches = new ArrayList<>();
    for (long[] b : SeedList.batches(seeds, job.batch())) {
      List<Long> l = new ArrayList<>(b.length);
      for (long s : b) {
        l.add(s);
      }
      batches.add(l);
    }
    p.apply("SeedBatches", Create.of(batches).withCoder(ListCoder.of(VarLongCoder.of())))
        .apply(
            "Generate",
            GenerateImages.builder()
                .network(job.network())
                .sampler(job.sampler())
                .classIdx(job.classIdx())
                .device(job.device())
                .progressName(job.outdir())
                .totalImages(seeds.size())
                .build())
        .apply("Write", new WriteImages(job.outdir(), job.subdirs()));
    return seeds.size();
  }
}
