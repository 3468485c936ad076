package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonObject;
import dev.cdm.model.training.KimgFileName;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.Watch;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * One look at a run directory for {@code cdm evaluate --watch} (the poll function of a {@link
 * Watch} transform): which snapshot to evaluate next, and whether watching is over.
 *
 * <ul>
 *   <li>Only final names count ({@code network-snapshot-NNNNNN[.NNN].pkl|.safetensors}, {@link
 *       Snapshot}: our training loop writes {@code <name>.part} and renames it), and a snapshot is
 *       taken only once its modification time is at least {@code quietMillis} old, so a file still
 *       being copied in under its final name is not read either (object stores show an object once
 *       uploaded).
 *   <li>Snapshots named in {@code results.jsonl} or {@code failures.jsonl} are settled: a restart
 *       skips what is done.
 *   <li>One snapshot at a time, in kimg order: the next is released once the previous one's result
 *       is recorded (as the reference's {@code eval.py}), so the workers load one network at a time
 *       and all of them work on it. Until then the poll returns the snapshot in flight again, which
 *       {@link Watch} ignores (it emits each snapshot location once).
 *   <li>The end ({@link Watch.Growth.PollResult#complete}): a settled snapshot of at least {@code
 *       untilKimg}, or the training's end marker and every snapshot settled. The marker is read
 *       before the folder is listed, so no snapshot published before it is missed.
 * </ul>
 *
 * A failing look (a transient listing error) is reported and counts as "nothing new".
 */
final class SnapshotPollFn extends Watch.Growth.PollFn<String, Snapshot> {
  private static final long serialVersionUID = 1L;

  private final String outdir;
  private final long quietMillis;
  private final Double untilKimg;
  private transient boolean announced;

  SnapshotPollFn(String outdir, long quietMillis, Double untilKimg) {
    this.outdir = outdir;
    this.quietMillis = quietMillis;
    this.untilKimg = untilKimg;
  }

  @Override
  public Watch.Growth.PollResult<Snapshot> apply(String runDir, Context c) {
    Instant now = Instant.now();
    try {
      return look(runDir, now);
    } catch (IOException | RuntimeException e) {
      System.err.println(
          "cdm evaluate: cannot look at "
              + runDir
              + " ("
              + e.getMessage()
              + "); trying again at the next poll");
      return Watch.Growth.PollResult.<Snapshot>incomplete(List.of()).withWatermark(now);
    }
  }

  private Watch.Growth.PollResult<Snapshot> look(String runDir, Instant now) throws IOException {
    boolean trainingDone = RunFiles.exists(RunFiles.resolve(runDir, RunFiles.DONE_MARKER));
    List<Snapshot> snapshots = RunFiles.snapshots(runDir);
    Set<String> settled = new HashSet<>();
    boolean reachedEnd = false;
    for (ResultsLog log : List.of(new ResultsLog(outdir), ResultsLog.failures(outdir))) {
      for (JsonObject row : log.rows()) {
        settled.add(row.get("snapshot").getAsString());
        reachedEnd |= untilKimg != null && row.get("kimg").getAsDouble() >= untilKimg;
      }
    }
    if (reachedEnd) {
      System.err.println("Reached --until-kimg=" + KimgFileName.text(untilKimg) + "; stopping.");
      return Watch.Growth.PollResult.complete(now, List.of());
    }
    Snapshot next =
        snapshots.stream().filter(s -> !settled.contains(s.name())).findFirst().orElse(null);
    if (next == null && trainingDone) {
      System.err.println("Training finished and every snapshot is evaluated; stopping.");
      return Watch.Growth.PollResult.complete(now, List.of());
    }
    if (next != null && now.getMillis() - next.modifiedMillis() < quietMillis) {
      next = null; // still being written, or just written: look again at the next poll
    }
    if (next == null && !announced) {
      announced = true;
      System.err.println(
          "Waiting for new snapshots in "
              + runDir
              + " (looking every "
              + quietMillis / 1000.0
              + " s)...");
    }
    return Watch.Growth.PollResult.incomplete(
            next == null
                ? List.<TimestampedValue<Snapshot>>of()
                : List.of(TimestampedValue.of(next, now)))
        .withWatermark(now);
  }
}
