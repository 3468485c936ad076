package dev.cdm.model.training;

import java.util.function.LongConsumer;

/**
 * Observes the steps of a {@link TrainingLoop} without taking part in them: progress displays,
 * profilers and tests look in here. The loop calls it at the boundaries of a step's phases; a phase
 * is <em>queued</em> there, and a device may still be working on it (a listener that times phases
 * waits for its devices itself). What the loop computes does not depend on the listener.
 *
 * <p>A step: {@code stepStarted}; on each replica's own thread {@code replicaStarted(r)} and {@code
 * replicaQueued(r)} (its forward, backward and gradient flattening); then on the loop's thread
 * {@code phaseQueued} with {@code accumulate} (every replica has queued), {@code reduce}, {@code
 * adam}, {@code broadcast}, {@code ema}; last {@code stepDone}.
 */
public interface StepListener {
  /** Listens to nothing (the default). */
  StepListener NONE = new StepListener() {};

  /** A listener told only the number of steps this run has made, after each step. */
  static StepListener afterEachStep(LongConsumer steps) {
    return new StepListener() {
      @Override
      public void stepDone(long stepsThisRun) {
        steps.accept(stepsThisRun);
      }
    };
  }

  /** A step begins, before the replicas start. */
  default void stepStarted() {}

  /** Replica {@code replica} starts its share of the step (called on the replica's thread). */
  default void replicaStarted(int replica) {}

  /** Replica {@code replica} has queued its share of the step (called on the replica's thread). */
  default void replicaQueued(int replica) {}

  /** The loop has queued {@code phase}: accumulate, reduce, adam, broadcast or ema. */
  default void phaseQueued(String phase) {}

  /** After every optimizer step, with the number of steps this run has made. */
  default void stepDone(long stepsThisRun) {}
}
