package dev.cdm.transforms.evaluate;

import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;

/**
 * Puts each snapshot into its own {@link SnapshotWindow}, ending at the snapshot's timestamp (when
 * it entered the pipeline): what follows evaluates each snapshot separately even when several are
 * in flight, and each snapshot's results are final when its window closes.
 */
public final class SnapshotWindows extends NonMergingWindowFn<SnapshotId, SnapshotWindow> {
  private static final long serialVersionUID = 1L;

  @Override
  public Collection<SnapshotWindow> assignWindows(AssignContext c) {
    SnapshotId s = c.element();
    return List.of(new SnapshotWindow(s.location(), s.name(), c.timestamp()));
  }

  @Override
  public boolean isCompatible(WindowFn<?, ?> other) {
    return other instanceof SnapshotWindows;
  }

  @Override
  public Coder<SnapshotWindow> windowCoder() {
    return SnapshotWindow.coder();
  }

  @Override
  public WindowMappingFn<SnapshotWindow> getDefaultWindowMappingFn() {
    throw new UnsupportedOperationException("snapshot windows cannot be used for side inputs");
  }
}
