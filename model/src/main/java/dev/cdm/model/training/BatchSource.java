package dev.cdm.model.training;

/** Where the training loop gets the images of stream positions [start, start + count). */
@FunctionalInterface
public interface BatchSource {
  TrainingSet.HostBatch batch(long start, int count);
}
