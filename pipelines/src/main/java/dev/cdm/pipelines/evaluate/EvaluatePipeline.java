package dev.cdm.pipelines.evaluate;

import dev.cdm.pipelines.PipelineRuns;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Requirements;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.Watch;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The two pipelines of {@code cdm evaluate}, both ending in the same {@link EvaluateSnapshots}:
 *
 * <pre>
 *   once:   Create(snapshots) ────────────────────────────────────────────┐
 *   watch:  Create(run dir) → Watch.growthOf(SnapshotPollFn) every --poll ─┴→ EvaluateSnapshots
 * </pre>
 *
 * The first is bounded; the second is a streaming pipeline that ends when the poll function says so
 * ({@code --until-kimg}, or the training's end marker and every snapshot settled).
 */
public final class EvaluatePipeline {
  private EvaluatePipeline() {}

  /** The seeds of one snapshot's evaluation: the repeats' and the grid's. */
  static List<Long> seeds(EvaluateJob job) {
    TreeSet<Long> seeds = new TreeSet<>();
    for (long s = 0; s < (long) job.num() * job.repeats(); s++) {
      seeds.add(s);
    }
    for (long s = 0; s < EvaluateSnapshots.GRID * EvaluateSnapshots.GRID; s++) {
      seeds.add(s);
    }
    return new ArrayList<>(seeds);
  }

  static Pipeline create(EvaluateJob job) {
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(job.pipelineArgs().toArray(new String[0])).create();
    return Pipeline.create(options);
  }

  /** A bounded pipeline that evaluates {@code snapshots}. */
  static Pipeline once(EvaluateJob job, List<Snapshot> snapshots, boolean announce) {
    Pipeline p = create(job);
    p.apply("Snapshots", Create.of(snapshots).withCoder(SerializableCoder.of(Snapshot.class)))
        .apply("Now", WithTimestamps.of((Snapshot s) -> Instant.now()))
        .apply("Evaluate", new EvaluateSnapshots(job, announce));
    return p;
  }

  /**
   * A streaming pipeline that evaluates each snapshot published in the run directory once, looking
   * every {@code pollMillis}; see {@link SnapshotPollFn} for which and when.
   */
  static Pipeline watch(EvaluateJob job, long pollMillis, Double untilKimg) {
    Pipeline p = create(job);
    p.apply("RunDirectory", Create.of(job.snapshots()).withCoder(StringUtf8Coder.of()))
        .apply(
            "WatchSnapshots",
            Watch.growthOf(
                    Contextful.of(
                        new SnapshotPollFn(job.outdir(), pollMillis, untilKimg),
                        Requirements.empty()),
                    Snapshot::location)
                .withPollInterval(Duration.millis(pollMillis))
                .withOutputCoder(SerializableCoder.of(Snapshot.class))
                .withOutputKeyCoder(StringUtf8Coder.of()))
        .apply("Snapshots", Values.create())
        .apply("Evaluate", new EvaluateSnapshots(job, true));
    return p;
  }

  /**
   * Runs {@code p} to its end; the exception names {@code what} and the step that failed when it
   * does not end well ({@link PipelineRuns}).
   */
  static PipelineResult run(Pipeline p, String what) {
    return PipelineRuns.runToEnd(p, what + ": the evaluation pipeline");
  }
}
