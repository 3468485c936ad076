package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Map;

/**
 * The files a run leaves in its directory, each written under a temporary name and renamed when
 * complete: network snapshots (the EMA network, through the caller's {@link SnapshotWriter}),
 * training states (weights, EMA, Adam's moments, the counters and the seed) and, after the last
 * snapshot, the done marker.
 */
final class Checkpoints {
  /**
   * Written to the run directory after the last snapshot (JSON: {@code nimg}, {@code timestamp}),
   * so that an evaluation watching the run knows that no snapshot will follow.
   */
  static final String DONE_MARKER = "training-done.json";

  private final TrainingOptions opts;
  private final SnapshotWriter snapshots;
  private final String snapshotExtension;
  private final ArtefactListener listener;

  /** {@code snapshots} null: no snapshots are written; {@code listener} hears of every file. */
  Checkpoints(
      TrainingOptions opts,
      SnapshotWriter snapshots,
      String snapshotExtension,
      ArtefactListener listener) {
    this.opts = opts;
    this.snapshots = snapshots;
    this.snapshotExtension = snapshotExtension;
    this.listener = listener;
  }

  boolean writesSnapshots() {
    return snapshots != null;
  }

  /** {@code network-snapshot-<kimg>}: the EMA network after {@code curNimg} images. */
  void saveSnapshot(long curNimg, TrainableNetwork ema) throws IOException {
    Path path = opts.runDir().resolve(kimgName(KimgFileName.NETWORK, snapshotExtension, curNimg));
    Path part = path.resolveSibling(path.getFileName() + ".part");
    snapshots.write(part, ema);
    Files.move(part, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    listener.fileCompleted(path);
  }

  /**
   * {@code training-state-<kimg>.safetensors}: the state after tick {@code curTick} (the next to
   * run is curTick + 1).
   */
  void saveState(
      long curNimg, long curTick, Adam adam, Map<String, NDArray> net, Map<String, NDArray> ema)
      throws IOException {
    Path path = opts.runDir().resolve(kimgName(KimgFileName.STATE, ".safetensors", curNimg));
    Map<String, NDArray> m = adam.expAvg();
    Map<String, NDArray> v = adam.expAvgSq();
    new TrainingState(curNimg, curTick + 1, adam.step(), opts.seed(), net, ema, m, v).save(path);
    Adam.close(new ArrayList<>(m.values()));
    Adam.close(new ArrayList<>(v.values()));
    listener.fileCompleted(path);
  }

  /** Removes a done marker left by an earlier process of this run. */
  void clearDoneMarker() throws IOException {
    Files.deleteIfExists(opts.runDir().resolve(DONE_MARKER));
  }

  void writeDoneMarker(long curNimg) throws IOException {
    Path path = opts.runDir().resolve(DONE_MARKER);
    Path part = path.resolveSibling(path.getFileName() + ".part");
    JsonObject o = new JsonObject();
    o.addProperty("nimg", curNimg);
    o.addProperty("timestamp", System.currentTimeMillis() / 1000.0);
    Files.writeString(part, o + "\n", StandardCharsets.UTF_8);
    Files.move(part, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    listener.fileCompleted(path);
  }

  /** The name of {@code prefix}'s file after {@code curNimg} images ({@link KimgFileName}). */
  private String kimgName(String prefix, String ext, long curNimg) {
    return KimgFileName.format(prefix, curNimg, opts.decimalKimgNames(), ext);
  }
}
