package dev.cdm.pipelines.fid;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.transforms.fid.BatchImages;
import dev.cdm.transforms.fid.ExtractStatistics;
import dev.cdm.transforms.fid.FrechetDistanceFn;
import dev.cdm.transforms.fid.ReadImageBatches;
import dev.cdm.transforms.fid.WriteStatisticsFn;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.GeneratedImage;
import dev.cdm.transforms.generate.SeedBatches;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/** The two FID jobs, each read like its diagram: images, features, statistics, result. */
public final class FidPipelines {
  private FidPipelines() {}

  /** Dataset images -> detector features -> mu/sigma -> .npz ({@code cdm ref}). */
  public static Pipeline reference(
      PipelineOptions options, ReadImageBatches images, ExtractStatistics statistics, String dest) {
    Pipeline p = Pipeline.create(options);
    p.apply("ReadImages", images)
        .apply("Statistics", statistics)
        .apply("WriteNpz", ParDo.of(new WriteStatisticsFn(dest)));
    return p;
  }

  /**
   * Chosen images (one group per repeat) -> features -> statistics per group -> FID against the
   * reference statistics -> one result file ({@code cdm fid}).
   */
  public static Pipeline fid(
      PipelineOptions options,
      ReadImageBatches images,
      ExtractStatistics statistics,
      String ref,
      String resultFile) {
    Pipeline p = Pipeline.create(options);
    PCollection<KV<Integer, FeatureMoments>> moments =
        p.apply("ReadImages", images).apply("Statistics", statistics);
    scoreAndWrite(moments, ref, resultFile);
    return p;
  }

  /**
   * Streaming FID: seed batches -> samples on the workers' devices (never written) -> detector
   * batches -> statistics per group -> FID -> one result file.
   */
  public static Pipeline streaming(
      PipelineOptions options,
      List<List<Long>> seedBatches,
      GenerateImages generate,
      BatchImages<GeneratedImage> batch,
      ExtractStatistics statistics,
      String ref,
      String resultFile) {
    Pipeline p = Pipeline.create(options);
    PCollection<KV<Integer, FeatureMoments>> moments =
        p.apply("SeedBatches", SeedBatches.of(seedBatches))
            .apply("Generate", generate)
            .apply("DetectorBatches", batch)
            .apply("Statistics", statistics);
    scoreAndWrite(moments, ref, resultFile);
    return p;
  }

  /** Moments per group -> FID per group -> the result file the command prints from. */
  static void scoreAndWrite(
      PCollection<KV<Integer, FeatureMoments>> moments, String ref, String resultFile) {
    moments
        .apply("Fid", ParDo.of(new FrechetDistanceFn(ref)))
        .setCoder(KvCoder.of(VarIntCoder.of(), DoubleCoder.of()))
        .apply("Gather", Combine.globally(new FidResults.Gather()))
        .apply("WriteResults", ParDo.of(new FidResults.WriteFn(resultFile)));
  }
}
