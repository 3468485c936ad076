package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonObject;
import dev.cdm.transforms.evaluate.RepeatScores;
import dev.cdm.transforms.evaluate.SnapshotWindow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Where a snapshot's evaluation lands: the lines gathered in its window (start time, scores per
 * repeat, extra metrics, grid) become its row in {@code results.jsonl}, and {@code report.html}
 * is rendered again from all rows. Idempotent: the row replaces any earlier row of the same
 * snapshot, so a retried bundle does not add a line. A snapshot without the scores of every
 * repeat (its network could not be loaded: see the log) goes to {@code failures.jsonl} instead.
 * All snapshots share one key, so on a cluster one worker writes the files, one at a time.
 */
final class RecordResultFn extends DoFn<KV<Integer, Iterable<String>>, String> {
  private static final long serialVersionUID = 1L;
  // Beam metrics, in the Flink web UI (job, Accumulators): snapshots recorded, snapshots failed.
  private final Counter snapshots = Metrics.counter("cdm", "evaluate.snapshots");
  private final Counter failedSnapshots = Metrics.counter("cdm", "evaluate.failedSnapshots");

  private final EvaluateJob job;
  private final boolean announce;

  RecordResultFn(EvaluateJob job, boolean announce) {
    this.job = job;
    this.announce = announce;
  }

  @ProcessElement
  public void process(@Element KV<Integer, Iterable<String>> in, BoundedWindow window,
      OutputReceiver<String> out) throws IOException {
    SnapshotWindow w = (SnapshotWindow) window;
    Snapshot snapshot = Snapshot.file(w.location(), w.name(), 0, 0);
    long start = Long.MAX_VALUE;
    TreeMap<Integer, RepeatScores> repeats = new TreeMap<>();
    Map<String, Double> metrics = new TreeMap<>();
    for (String line : in.getValue()) {
      if (line.startsWith("start ")) {
        start = Math.min(start, Long.parseLong(line.substring(6)));
      } else if (line.startsWith("scores ")) {
        RepeatScores r = RepeatScores.parse(line.substring(7));
        repeats.put(r.repeat(), r);
      } else if (line.startsWith("metric ")) {
        String[] f = line.split(" ");
        metrics.put(f[1], Double.parseDouble(f[2]));
      }
    }
    if (repeats.size() != job.repeats()) {
      String error = "expected the scores of " + job.repeats() + " repeat"
          + (job.repeats() == 1 ? "" : "s") + ", got " + repeats.size()
          + " (the network could not be loaded or scored; see the log above)";
      JsonObject row = new JsonObject();
      row.addProperty("snapshot", snapshot.name());
      row.addProperty("kimg", snapshot.kimg());
      row.addProperty("location", snapshot.location());
      row.addProperty("error", error);
      ResultsLog.failures(job.outdir()).append(row);
      System.err.println("Evaluation of " + snapshot.location() + " failed: " + error);
      failedSnapshots.inc();
      out.output(snapshot.name());
      return;
    }
    double seconds = start == Long.MAX_VALUE ? 0 : (System.currentTimeMillis() - start) / 1000.0;
    JsonObject row =
        ResultRow.of(job, snapshot, new ArrayList<>(repeats.values()), metrics, seconds);
    synchronized (RecordResultFn.class) { // the page of the latest rows is written last
      List<JsonObject> rows = new ResultsLog(job.outdir()).append(row);
      new EvaluationReport(job.outdir(), job.snapshots()).write(rows);
    }
    snapshots.inc();
    if (announce) {
      System.err.println(ResultRow.summary(row));
    }
    out.output(snapshot.name());
  }
}
