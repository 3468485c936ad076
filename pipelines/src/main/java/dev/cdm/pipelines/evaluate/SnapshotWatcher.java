package dev.cdm.pipelines.evaluate;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds the snapshots to evaluate and hands them to a {@link SnapshotEvaluator}, once each, in
 * kimg order. Snapshots already in {@code results.jsonl} are skipped (a restart resumes). Once,
 * or with {@code watch} polling the run directory like the reference's {@code eval.py}: a new
 * snapshot is evaluated when it has been seen unchanged (size, modification time) by two polls
 * in a row, so a file still being copied in is never read; our training loop also writes
 * snapshots under a {@code .part} name and renames them when complete, and object stores show
 * an object only once its upload completes. Watching ends when a snapshot of at least {@code
 * untilKimg} is evaluated, or when the training's end marker exists and every snapshot is done.
 */
public final class SnapshotWatcher {
  private final SnapshotEvaluator evaluator;
  private final String runDir;
  private final boolean watch;
  private final long pollMillis;
  private final Long untilKimg;
  private final Consumer<String> log;
  private int failures;

  public SnapshotWatcher(SnapshotEvaluator evaluator, String runDir, boolean watch,
      long pollMillis, Long untilKimg, Consumer<String> log) {
    this.evaluator = evaluator;
    this.runDir = runDir;
    this.watch = watch;
    this.pollMillis = pollMillis;
    this.untilKimg = untilKimg;
    this.log = log;
  }

  /** Snapshots whose evaluation failed while watching (they were skipped). */
  public int failures() {
    return failures;
  }

  /** Runs until done; returns the number of snapshots evaluated. */
  public int run() throws IOException, InterruptedException {
    Set<String> done = new HashSet<>(evaluator.results().evaluated());
    if (!done.isEmpty()) {
      log.accept("Skipping " + done.size() + " snapshot" + (done.size() == 1 ? "" : "s")
          + " already in " + evaluator.results().location());
    }
    Set<String> failed = new HashSet<>();
    Map<String, Snapshot> lastSeen = new HashMap<>();
    int evaluated = 0;
    boolean announced = false;
    while (true) {
      // The marker is read before listing: a snapshot published before it is in the listing.
      boolean trainingDone = watch
          && RunFiles.exists(RunFiles.resolve(runDir, RunFiles.DONE_MARKER));
      List<Snapshot> snapshots = RunFiles.snapshots(runDir);
      boolean pending = false;
      boolean reachedEnd = false;
      for (Snapshot s : snapshots) {
        if (done.contains(s.name()) || failed.contains(s.name())) {
          reachedEnd |= untilKimg != null && s.kimg() >= untilKimg;
          continue;
        }
        if (untilKimg != null && s.kimg() > untilKimg && reachedEnd) {
          continue;
        }
        if (watch && !s.equals(lastSeen.get(s.name()))) {
          pending = true; // first sight, or still changing: look again at the next poll
          continue;
        }
        try {
          evaluator.evaluate(s);
          evaluated++;
          done.add(s.name());
        } catch (IOException | RuntimeException e) {
          if (!watch) {
            throw e;
          }
          failed.add(s.name());
          failures++;
          log.accept("Evaluation of " + s.location() + " failed (" + e.getMessage()
              + "); continuing with the next snapshot");
        }
        reachedEnd |= untilKimg != null && s.kimg() >= untilKimg;
      }
      lastSeen.clear();
      for (Snapshot s : snapshots) {
        lastSeen.put(s.name(), s);
      }
      if (!watch) {
        if (snapshots.isEmpty()) {
          throw new IOException("--snapshots=" + runDir + ": no network-snapshot-*.pkl or"
              + " .safetensors files (use --watch to wait for them)");
        }
        return evaluated;
      }
      if (reachedEnd) {
        log.accept("Reached --until-kimg=" + untilKimg + "; stopping.");
        return evaluated;
      }
      if (trainingDone && !pending) {
        log.accept("Training finished and every snapshot is evaluated; stopping.");
        return evaluated;
      }
      if (!announced && !pending) {
        log.accept("Waiting for new snapshots in " + runDir + " (polling every "
            + pollMillis / 1000.0 + " s)...");
        announced = true;
      }
      Thread.sleep(pollMillis);
    }
  }
}
