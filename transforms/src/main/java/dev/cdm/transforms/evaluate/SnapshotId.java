package dev.cdm.transforms.evaluate;

import java.io.Serializable;

/**
 * What the evaluation transforms need to know of a network snapshot: where it is (any location the
 * network loader reads) and its file name (which names its grid and image folder). The snapshot's
 * {@link SnapshotWindow} carries it to every step of its evaluation.
 */
public interface SnapshotId extends Serializable {
  String location();

  String name();
}
