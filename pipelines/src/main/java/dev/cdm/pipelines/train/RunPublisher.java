package dev.cdm.pipelines.train;

import dev.cdm.model.io.Sources;
import dev.cdm.model.training.ArtefactListener;
import dev.cdm.model.training.TrainingLoop;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.evaluate.EvaluationProcess;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code cdm train --outdir=gs://…} (or any Beam file system): the training writes its run
 * directory in a local staging folder, and this copies each finished file to the remote run
 * directory through the project's one file layer ({@link AtomicFiles}), in an order that a watching
 * {@code cdm evaluate} can rely on:
 *
 * <ul>
 *   <li>a snapshot or training state is published once it is complete, before anything that
 *       mentions it, and never over a file that another process published ({@link
 *       AtomicFiles#uploadOnce}: a conditional create on {@code gs://}). Only a name this process
 *       published itself is replaced, as the local run replaces it: ticks shorter than a kimg write
 *       several snapshots under the reference's whole-kimg name, and the last one stays. The staged
 *       copy is then deleted, so the local disk holds at most one;
 *   <li>{@code stats.jsonl} and {@code log.txt} are uploaded again (replaced) at every tick, and
 *       {@code training_options.json} when written;
 *   <li>the done marker last, after the last snapshot, state and statistics.
 * </ul>
 *
 * A file that cannot be written ends the training with an error naming {@code --outdir}.
 */
final class RunPublisher implements ArtefactListener {
  static final String OPTIONS = "training_options.json";
  static final String LOG = "log.txt";
  static final String STATS = "stats.jsonl";

  private final String runDir;
  private final Path staging;
  private final Consumer<String> log;
  private final List<String> published = new ArrayList<>();
  private boolean checkpointPublished;

  /**
   * Publishes {@code staging} (a local folder the training writes) to the remote folder {@code
   * runDir}; notes go to {@code log}.
   */
  RunPublisher(String runDir, Path staging, Consumer<String> log) {
    this.runDir = runDir;
    this.staging = staging;
    this.log = log;
  }

  /**
   * The local folder where a run published to {@code runDir} is written first: in the download
   * cache ({@link Sources#cacheDir}), named after the run and a hash of its location.
   */
  static Path stagingFor(String runDir) {
    String name = runDir.replaceAll("/+$", "");
    name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(runDir.getBytes(StandardCharsets.UTF_8));
      return Sources.cacheDir()
          .resolve("runs")
          .resolve(HexFormat.of().formatHex(h, 0, 6) + "-" + name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String runDir() {
    return runDir;
  }

  Path staging() {
    return staging;
  }

  /**
   * Prepares the staging folder for a training process: the remote run's {@code stats.jsonl}, when
   * an earlier process of this run (--nosubdir) left one, is the one this process appends to; a
   * done marker that process left is removed (more snapshots follow).
   */
  void start() throws IOException {
    Files.createDirectories(staging);
    String stats = remote(STATS);
    try {
      if (AtomicFiles.exists(stats)) {
        Files.write(staging.resolve(STATS), AtomicFiles.read(stats));
      } else {
        Files.deleteIfExists(staging.resolve(STATS));
      }
      Files.deleteIfExists(staging.resolve(TrainingLoop.DONE_MARKER));
      AtomicFiles.delete(remote(TrainingLoop.DONE_MARKER));
    } catch (IOException | RuntimeException e) {
      throw failure(runDir, e);
    }
  }

  /** Uploads the staged file {@code name} over the remote one (the options, the logs). */
  void publish(String name) throws IOException {
    Path file = staging.resolve(name);
    if (!Files.isRegularFile(file)) {
      return;
    }
    try {
      AtomicFiles.upload(file, remote(name));
    } catch (IOException | RuntimeException e) {
      throw failure(remote(name), e);
    }
    if (!published.contains(name)) {
      published.add(name);
    }
  }

  @Override
  public void fileCompleted(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.equals(TrainingLoop.DONE_MARKER)) {
      // Everything the run wrote is published before the marker that says it is complete.
      publish(STATS);
      publish(LOG);
      publish(EvaluationProcess.LOG);
      publish(name);
      return;
    }
    String target = remote(name);
    boolean created = true;
    try {
      if (published.contains(name)) {
        AtomicFiles.upload(file, target);
      } else {
        created = AtomicFiles.uploadOnce(file, target);
      }
    } catch (IOException | RuntimeException e) {
      throw failure(target, e);
    }
    if (created) {
      checkpointPublished = true;
      if (!published.contains(name)) {
        published.add(name);
      }
      Files.delete(file);
    } else {
      log.accept(
          target
              + " exists already (an earlier process of this run); kept it, this copy is "
              + file);
    }
  }

  @Override
  public void tickEnded(long tick) throws IOException {
    publish(STATS);
    publish(LOG);
    publish(EvaluationProcess.LOG);
  }

  /**
   * After a failure: when no snapshot or training state was published, removes what was (the
   * options and logs), as a local run that failed early leaves nothing behind; best effort.
   */
  void discardIfEmpty() {
    if (checkpointPublished) {
      return;
    }
    for (String name : published) {
      try {
        AtomicFiles.delete(remote(name));
      } catch (IOException | RuntimeException ignored) {
        // the error that ended the run is the one to report
      }
    }
  }

  private String remote(String name) {
    return AtomicFiles.resolve(runDir, name);
  }

  /** A one-line error naming --outdir and the location that could not be written. */
  private static IOException failure(String location, Exception e) {
    return new IOException(
        "--outdir: cannot write " + location + " (" + CommandErrors.message(e) + ")", e);
  }
}
