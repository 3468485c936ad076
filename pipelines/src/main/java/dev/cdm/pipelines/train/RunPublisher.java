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
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
 *       copy is deleted once uploaded, so the local disk holds at most a few;
 *   <li>{@code stats.jsonl}, {@code log.txt} and {@code evaluate-log.txt} are uploaded again
 *       (replaced) at every tick, as they were at that moment, and {@code training_options.json}
 *       when written;
 *   <li>the done marker last, after every other file is published.
 * </ul>
 *
 * The uploads run on a background thread in that order ({@link OrderedUploads}), so the training
 * does not wait for a slow link; it waits only when {@value #PENDING_CHECKPOINTS} checkpoints are
 * still waiting to be uploaded (bounding the local disk), and at the end for every upload before
 * the done marker. A file that cannot be written ends the training at its next tick (or at its end)
 * with an error naming {@code --outdir}; the checkpoint not published stays in the staging folder
 * (for {@code --resume}).
 */
final class RunPublisher implements ArtefactListener {
  static final String OPTIONS = "training_options.json";
  static final String LOG = "log.txt";
  static final String STATS = "stats.jsonl";

  /** Snapshots and states that may wait for their upload at a time (each a local file). */
  static final int PENDING_CHECKPOINTS = 2;

  private final String runDir;
  private final Path staging;
  private final Consumer<String> log;
  private final OrderedUploads uploads;
  private final Set<String> published = Collections.synchronizedSet(new LinkedHashSet<>());
  private final AtomicLong handed = new AtomicLong();
  private volatile boolean checkpointPublished;

  /**
   * Publishes {@code staging} (a local folder the training writes) to the remote folder {@code
   * runDir}; notes go to {@code log}.
   */
  RunPublisher(String runDir, Path staging, Consumer<String> log) {
    this.runDir = runDir;
    this.staging = staging;
    this.log = log;
    this.uploads = new OrderedUploads("cdm-publish", PENDING_CHECKPOINTS);
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

  /**
   * Queues the upload of the staged file {@code name} as it is now, over the remote one (the
   * options, the logs); nothing when there is no such file. Throws the failure of an earlier
   * upload.
   */
  void publish(String name) throws IOException {
    Path file = staging.resolve(name);
    if (!Files.isRegularFile(file)) {
      uploads.check();
      return;
    }
    // A copy: the training appends to the logs while the upload runs.
    Path copy = pendingName(name);
    Files.copy(file, copy);
    String target = remote(name);
    uploads.add(
        new OrderedUploads.Upload() {
          @Override
          public void run() throws IOException {
            try {
              AtomicFiles.upload(copy, target);
            } catch (IOException | RuntimeException e) {
              throw failure(target, e);
            }
            published.add(name);
            Files.delete(copy);
          }

          @Override
          public void abandon() {
            deleteQuietly(copy);
          }
        },
        false);
  }

  /** Waits until everything handed over so far is published; throws the first failure. */
  void flush() throws IOException {
    uploads.flush();
  }

  /** Publishes what is queued and ends the upload thread; throws the first failure. */
  void finish() throws IOException {
    uploads.close();
    uploads.check();
  }

  @Override
  public void fileCompleted(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.equals(TrainingLoop.DONE_MARKER)) {
      // Everything the run wrote is published before the marker that says it is complete.
      publish(STATS);
      publish(LOG);
      publish(EvaluationProcess.LOG);
      flush();
      publish(name);
      flush();
      return;
    }
    uploads.check(); // an earlier failure: this checkpoint stays where it is
    // Under a name of its own until uploaded: the training may write this name again meanwhile.
    Path pending = pendingName(name);
    Files.move(file, pending, StandardCopyOption.ATOMIC_MOVE);
    String target = remote(name);
    uploads.add(
        new OrderedUploads.Upload() {
          @Override
          public void run() throws IOException {
            boolean created = true;
            try {
              if (published.contains(name)) {
                AtomicFiles.upload(pending, target);
              } else {
                created = AtomicFiles.uploadOnce(pending, target);
              }
            } catch (IOException | RuntimeException e) {
              throw failure(target, e);
            }
            if (created) {
              checkpointPublished = true;
              published.add(name);
              Files.delete(pending);
            } else {
              log.accept(
                  target
                      + " exists already (an earlier process of this run); kept it, this copy is "
                      + keepLocally(pending, name));
            }
          }

          @Override
          public void abandon() {
            if (Files.exists(pending)) {
              keepLocally(pending, name);
            }
          }
        },
        true);
  }

  @Override
  public void tickEnded(long tick) throws IOException {
    publish(STATS);
    publish(LOG);
    publish(EvaluationProcess.LOG);
  }

  /**
   * After a failure: publishes the checkpoints still queued (best effort; they are what a resume
   * needs) and, when no snapshot or training state was published, removes what was (the options and
   * logs), as a local run that failed early leaves nothing behind.
   */
  void discardIfEmpty() {
    try {
      uploads.close();
    } catch (IOException e) {
      Thread.currentThread().interrupt();
    }
    if (checkpointPublished) {
      return;
    }
    for (String name : List.copyOf(published)) {
      try {
        AtomicFiles.delete(remote(name));
      } catch (IOException | RuntimeException ignored) {
        // the error that ended the run is the one to report
      }
    }
  }

  /** A fresh name in the staging folder for a file handed to the upload thread. */
  private Path pendingName(String name) {
    return staging.resolve(".upload-" + handed.incrementAndGet() + "-" + name);
  }

  /**
   * A checkpoint that was not published: back under its own name unless the training wrote that
   * name again meanwhile; where it is now.
   */
  private Path keepLocally(Path pending, String name) {
    Path file = staging.resolve(name);
    try {
      Files.move(pending, file); // never over a newer file of that name
      return file;
    } catch (IOException e) {
      return pending;
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a copy of a log in the staging folder
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
