package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonObject;
import dev.cdm.model.training.KimgFileName;
import dev.cdm.transforms.evaluate.RepeatScores;
import dev.cdm.transforms.evaluate.SnapshotWindow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Where a snapshot's evaluation lands: the lines of its window (start time, scores per repeat,
 * extra metrics, grid, load failures) are kept in state, and become its row in {@code
 * results.jsonl} (and {@code report.html} is rendered again from all rows) as soon as they are
 * complete: the start, the scores of every repeat, the grid and a value of every extra metric.
 * Completion is counted from the data, not told by the watermark, so a streaming pipeline records
 * each snapshot on any runner (on Flink the watermark of a {@code Watch} stalls while it polls);
 * the end of the window (the watermark) records whatever came, for what the count never completes.
 *
 * <p>A snapshot whose network could not be loaded (a "failed" line from a worker), or that ends
 * without the scores of every repeat, goes to {@code failures.jsonl} instead. Idempotent: a row
 * replaces any earlier row of the same snapshot; a metric value that comes after the row was
 * written (a metric with several values, or a later pane of one) writes the row again, each name
 * with the value of its latest pane. All snapshots share one key, so on a cluster one worker writes
 * the files, one at a time.
 */
final class RecordResultFn extends DoFn<KV<Integer, String>, String> {
  private static final long serialVersionUID = 1L;
  // Beam metrics, in the Flink web UI (job, Accumulators): snapshots recorded, snapshots failed.
  private final Counter snapshots = Metrics.counter("cdm", "evaluate.snapshots");
  private final Counter failedSnapshots = Metrics.counter("cdm", "evaluate.failedSnapshots");
  private static final String ROW = "row";
  private static final String FAILURE = "failure";

  private final EvaluateJob job;
  private final boolean announce;

  @StateId("lines")
  private final StateSpec<BagState<String>> linesSpec = StateSpecs.bag(StringUtf8Coder.of());

  /** Null until recorded, then {@link #ROW} or {@link #FAILURE}. */
  @StateId("recorded")
  private final StateSpec<ValueState<String>> recordedSpec = StateSpecs.value(StringUtf8Coder.of());

  @TimerId("windowEnd")
  private final TimerSpec windowEndSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  RecordResultFn(EvaluateJob job, boolean announce) {
    this.job = job;
    this.announce = announce;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, String> in,
      BoundedWindow window,
      @StateId("lines") BagState<String> lines,
      @StateId("recorded") ValueState<String> recorded,
      @TimerId("windowEnd") Timer windowEnd,
      OutputReceiver<String> out)
      throws IOException {
    String line = in.getValue();
    lines.add(line);
    String state = recorded.read();
    if (state == null) {
      windowEnd.set(window.maxTimestamp());
      Gathered g = new Gathered(lines.read());
      if (g.failure != null || g.complete(job)) {
        recorded.write(counted(record((SnapshotWindow) window, g, announce, out)));
      }
    } else if (state.equals(ROW) && line.startsWith("metric ")) {
      record((SnapshotWindow) window, new Gathered(lines.read()), false, out);
    }
  }

  @OnTimer("windowEnd")
  public void onWindowEnd(
      BoundedWindow window,
      @StateId("lines") BagState<String> lines,
      @StateId("recorded") ValueState<String> recorded,
      OutputReceiver<String> out)
      throws IOException {
    if (recorded.read() == null) {
      recorded.write(
          counted(record((SnapshotWindow) window, new Gathered(lines.read()), announce, out)));
    }
  }

  /** Counts a snapshot recorded for the first time (not the rewrites of its row). */
  private String counted(String outcome) {
    if (ROW.equals(outcome)) {
      snapshots.inc();
    }
    return outcome;
  }

  /**
   * Writes the row (or the failure) of the lines so far; returns {@link #ROW} or {@link #FAILURE}.
   */
  private String record(SnapshotWindow w, Gathered g, boolean announce, OutputReceiver<String> out)
      throws IOException {
    Snapshot snapshot = Snapshot.file(w.location(), w.name(), 0, 0);
    if (g.failure != null || g.repeats.size() != job.repeats()) {
      String error =
          g.failure != null
              ? g.failure
              : "expected the scores of "
                  + job.repeats()
                  + " repeat"
                  + (job.repeats() == 1 ? "" : "s")
                  + ", got "
                  + g.repeats.size()
                  + " (the network could not be loaded or scored; see the log above)";
      JsonObject row = new JsonObject();
      row.addProperty("snapshot", snapshot.name());
      row.addProperty("kimg", KimgFileName.jsonNumber(snapshot.kimg()));
      row.addProperty("location", snapshot.location());
      row.addProperty("error", error);
      ResultsLog.failures(job.outdir()).append(row);
      System.err.println("Evaluation of " + snapshot.location() + " failed: " + error);
      failedSnapshots.inc();
      out.output(snapshot.name());
      return FAILURE;
    }
    double seconds =
        g.start == Long.MAX_VALUE ? 0 : (System.currentTimeMillis() - g.start) / 1000.0;
    JsonObject row =
        ResultRow.of(job, snapshot, new ArrayList<>(g.repeats.values()), g.metrics, seconds);
    synchronized (RecordResultFn.class) { // the page of the latest rows is written last
      List<JsonObject> rows = new ResultsLog(job.outdir()).append(row);
      new EvaluationReport(job.outdir(), job.snapshots()).write(rows);
    }
    if (announce) {
      System.err.println(ResultRow.summary(row));
    }
    out.output(snapshot.name());
    return ROW;
  }

  /** What the lines of one snapshot say. */
  private static final class Gathered {
    long start = Long.MAX_VALUE;
    final TreeMap<Integer, RepeatScores> repeats = new TreeMap<>();
    final Map<String, Double> metrics = new TreeMap<>();

    /** Per metric name, the pane its value came from (the latest pane wins). */
    private final Map<String, Long> metricPanes = new TreeMap<>();

    /** The indices of the extra metrics that gave a value. */
    final Set<Integer> metricsIn = new TreeSet<>();

    boolean grid;
    String failure;

    Gathered(Iterable<String> lines) {
      for (String line : lines) {
        if (line.startsWith("start ")) {
          start = Math.min(start, Long.parseLong(line.substring(6)));
        } else if (line.startsWith("scores ")) {
          RepeatScores r = RepeatScores.parse(line.substring(7));
          repeats.put(r.repeat(), r);
        } else if (line.startsWith("metric ")) {
          String[] f = line.split(" "); // metric index pane name value
          metricsIn.add(Integer.parseInt(f[1]));
          long pane = Long.parseLong(f[2]);
          if (metricPanes.getOrDefault(f[3], -1L) < pane) {
            metricPanes.put(f[3], pane);
            metrics.put(f[3], Double.parseDouble(f[4]));
          }
        } else if (line.startsWith("grid ")) {
          grid = true;
        } else if (line.startsWith("failed ") && failure == null) {
          failure = line.substring(7);
        }
      }
    }

    /** Everything a row needs is in. */
    boolean complete(EvaluateJob job) {
      return start != Long.MAX_VALUE
          && repeats.size() == job.repeats()
          && grid
          && metricsIn.size() == job.extraMetrics().size();
    }
  }
}
