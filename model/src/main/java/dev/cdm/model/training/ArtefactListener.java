package dev.cdm.model.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Told when a {@link TrainingLoop} has finished a file of its run directory, so that a caller can
 * publish the run elsewhere as it grows (the command line copies it to a {@code gs://} run
 * directory) without the loop knowing where. Called on the loop's thread, in the order the files
 * are written: within a tick the snapshot, then the training state, then {@link #tickEnded} (the
 * tick's line in {@code stats.jsonl}); the done marker after the last tick. A failure of the
 * listener ends the training.
 */
public interface ArtefactListener {
  /** Listens to nothing (the default). */
  ArtefactListener NONE = new ArtefactListener() {};

  /**
   * {@code file} is complete under its final name: a network snapshot, a training state, or (after
   * every other file of the run) the done marker.
   */
  default void fileCompleted(Path file) throws IOException {}

  /** Tick {@code tick} ended: its statistics are in {@code stats.jsonl} and its line in the log. */
  default void tickEnded(long tick) throws IOException {}
}
