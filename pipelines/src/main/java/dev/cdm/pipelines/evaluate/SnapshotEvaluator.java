package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonObject;
import dev.cdm.model.training.KimgFileName;
import dev.cdm.pipelines.PipelineCounters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Java entry point of {@code cdm evaluate} (and of anything that wants the same results for its
 * own snapshots): {@link #evaluate} one snapshot, {@link #evaluateAll} those of the run directory,
 * or {@link #watch} the run directory as a streaming pipeline. Every way runs the same {@link
 * EvaluateSnapshots}, which appends each snapshot's row to {@code results.jsonl} and refreshes
 * {@code report.html} as it lands.
 */
public final class SnapshotEvaluator {
  private final EvaluateJob job;
  private final Consumer<String> log;
  private final ResultsLog results;
  private final ResultsLog failures;
  private final EvaluationReport report;
  private final PipelineCounters counters = new PipelineCounters();

  public SnapshotEvaluator(EvaluateJob job, Consumer<String> log) {
    this.job = job;
    this.log = log;
    this.results = new ResultsLog(job.outdir());
    this.failures = ResultsLog.failures(job.outdir());
    this.report = new EvaluationReport(job.outdir(), job.snapshots());
  }

  public ResultsLog results() {
    return results;
  }

  public EvaluationReport report() {
    return report;
  }

  /** The Beam counters of every pipeline this evaluator ran, summed. */
  public PipelineCounters counters() {
    return counters;
  }

  /** The grid of a snapshot, relative to the output folder. */
  static String gridName(Snapshot s) {
    return ResultRow.gridName(s.name());
  }

  /**
   * Evaluates one snapshot in a bounded pipeline of its own; returns the row it added to
   * results.jsonl (replacing an earlier row of the snapshot).
   */
  public JsonObject evaluate(Snapshot snapshot) throws IOException {
    int images = EvaluatePipeline.seeds(job).size();
    log.accept(
        String.format(
            Locale.ROOT,
            "Evaluating %s (kimg %s): %d images x %d repeats%s...",
            snapshot.name(),
            KimgFileName.text(snapshot.kimg()),
            job.num(),
            job.repeats(),
            images > job.num() * job.repeats()
                ? " (+" + (images - job.num() * job.repeats()) + " for the grid)"
                : ""));
    JsonObject before = results.row(snapshot.name());
    JsonObject failedBefore = failures.row(snapshot.name());
    counters.add(
        EvaluatePipeline.run(
            EvaluatePipeline.once(job, List.of(snapshot), false), snapshot.location()));
    JsonObject row = results.row(snapshot.name());
    if (row == null || row.equals(before)) {
      JsonObject failure = failures.row(snapshot.name());
      throw new IOException(
          snapshot.location()
              + ": "
              + (failure != null && !failure.equals(failedBefore)
                  ? failure.get("error").getAsString()
                  : "the pipeline finished without scores"));
    }
    log.accept(ResultRow.summary(row));
    return row;
  }

  /**
   * Evaluates the snapshots of the run directory that are not in results.jsonl yet, one after the
   * other, each in its own bounded pipeline; returns how many.
   */
  public int evaluateAll() throws IOException {
    List<Snapshot> snapshots = RunFiles.snapshots(job.snapshots());
    if (snapshots.isEmpty()) {
      throw new IOException(
          "--snapshots="
              + job.snapshots()
              + ": no network-snapshot-*.pkl or"
              + " .safetensors files (use --watch to wait for them)");
    }
    Set<String> done = skipping();
    int evaluated = 0;
    for (Snapshot s : snapshots) {
      if (!done.contains(s.name())) {
        evaluate(s);
        evaluated++;
      }
    }
    return evaluated;
  }

  /**
   * Watches the run directory as one streaming pipeline (see {@link SnapshotPollFn}): each snapshot
   * published is evaluated once; ends at {@code untilKimg} (null: none) or after the training's end
   * marker. Snapshots that failed before are tried again. Returns how many were evaluated; {@link
   * #failures()} tells how many failed.
   */
  public int watch(long pollMillis, Double untilKimg) throws IOException {
    failures.clear();
    Set<String> done = skipping();
    log.accept(
        "Watching "
            + job.snapshots()
            + " for snapshots (a streaming pipeline, looking every "
            + pollMillis / 1000.0
            + " s)");
    counters.add(
        EvaluatePipeline.run(EvaluatePipeline.watch(job, pollMillis, untilKimg), job.snapshots()));
    int evaluated = 0;
    for (String name : results.evaluated()) {
      evaluated += done.contains(name) ? 0 : 1;
    }
    return evaluated;
  }

  /** The snapshots of the last {@link #watch} that could not be evaluated. */
  public int failures() throws IOException {
    return failures.rows().size();
  }

  private Set<String> skipping() throws IOException {
    Set<String> done = results.evaluated();
    if (!done.isEmpty()) {
      log.accept(
          "Skipping "
              + done.size()
              + " snapshot"
              + (done.size() == 1 ? "" : "s")
              + " already in "
              + results.location());
    }
    return done;
  }

  /** Rows of the snapshots evaluated so far. */
  List<JsonObject> rows() throws IOException {
    return new ArrayList<>(results.rows());
  }
}
