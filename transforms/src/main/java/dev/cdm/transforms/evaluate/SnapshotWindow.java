package dev.cdm.transforms.evaluate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * The window of one snapshot's evaluation: every element derived from the snapshot (seed batches,
 * samples, partial scores, result lines) lives in it, so that the per-repeat combines and the
 * gathering of a snapshot's results close exactly when that snapshot's elements are all processed
 * (the watermark passes {@link #maxTimestamp}), in a bounded and in a streaming pipeline alike, and
 * the same transforms serve any number of snapshots in one pipeline. It ends at the time the
 * snapshot entered the pipeline.
 */
public final class SnapshotWindow extends BoundedWindow {
  private final String location;
  private final String name;
  private final Instant end;

  public SnapshotWindow(String location, String name, Instant end) {
    this.location = Objects.requireNonNull(location);
    this.name = Objects.requireNonNull(name);
    this.end = Objects.requireNonNull(end);
  }

  /** Where the snapshot's network is. */
  public String location() {
    return location;
  }

  /** The snapshot's file name. */
  public String name() {
    return name;
  }

  /** The name without its extension (grid and image folder names). */
  public String stem() {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  @Override
  public Instant maxTimestamp() {
    return end;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotWindow w
        && w.location.equals(location)
        && w.name.equals(name)
        && w.end.equals(end);
  }

  @Override
  public int hashCode() {
    return Objects.hash(location, name, end);
  }

  /** The snapshot's name (progress and log lines name the window by it). */
  @Override
  public String toString() {
    return name;
  }

  /** The coder of snapshot windows. */
  public static Coder coder() {
    return Coder.INSTANCE;
  }

  /** Encodes location, name and end. */
  public static final class Coder extends AtomicCoder<SnapshotWindow> {
    private static final Coder INSTANCE = new Coder();
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(SnapshotWindow w, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(w.location, out);
      StringUtf8Coder.of().encode(w.name, out);
      InstantCoder.of().encode(w.end, out);
    }

    @Override
    public SnapshotWindow decode(InputStream in) throws IOException {
      return new SnapshotWindow(
          StringUtf8Coder.of().decode(in),
          StringUtf8Coder.of().decode(in),
          InstantCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return INSTANCE;
    }
  }
}
