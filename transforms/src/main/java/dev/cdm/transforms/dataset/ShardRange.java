package dev.cdm.transforms.dataset;

import java.io.Serializable;

/** Images [start, end) of the input, converted by one worker into one shard file. */
public final class ShardRange implements Serializable {
  private static final long serialVersionUID = 1L;
  public final int id;
  public final long start;
  public final long end;

  public ShardRange(int id, long start, long end) {
    this.id = id;
    this.start = start;
    this.end = end;
  }

  @Override
  public String toString() {
    return "shard " + id + " [" + start + ", " + end + ")";
  }
}
