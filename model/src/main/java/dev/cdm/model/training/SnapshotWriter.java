package dev.cdm.model.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a network snapshot (the EMA network) to {@code path}. The loop passes a temporary name and
 * renames it when the writer returns, so readers never see a partial snapshot.
 */
@FunctionalInterface
public interface SnapshotWriter {
  void write(Path path, TrainableNetwork ema) throws IOException;
}
