package dev.cdm.transforms.evaluate;

import dev.cdm.transforms.generate.GeneratedImage;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The samples of seeds {@code 0 .. rows*cols-1} as one grid PNG at {@code dest} (written
 * atomically); emits {@code dest} once written. Other samples pass by untouched. One grid per
 * window: with {@link #perWindow} the destination depends on the window (e.g. one grid per {@link
 * SnapshotWindow}).
 *
 * <p>The grid is written as soon as all its cells are in (counted in state per window, so it does
 * not wait for the watermark, which may stall in a streaming pipeline), or, missing some cells,
 * when the window closes (blank cells).
 */
public final class WriteGrid extends PTransform<PCollection<GeneratedImage>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final SerializableFunction<BoundedWindow, String> dest;
  private final int rows;
  private final int cols;

  public WriteGrid(String dest, int rows, int cols) {
    this(w -> dest, rows, cols);
  }

  private WriteGrid(SerializableFunction<BoundedWindow, String> dest, int rows, int cols) {
    this.dest = dest;
    this.rows = rows;
    this.cols = cols;
  }

  /** One grid per window, written to {@code dest.apply(window)}. */
  public static WriteGrid perWindow(
      SerializableFunction<BoundedWindow, String> dest, int rows, int cols) {
    return new WriteGrid(dest, rows, cols);
  }

  @Override
  public PCollection<String> expand(PCollection<GeneratedImage> samples) {
    long cells = (long) rows * cols;
    return samples
        .apply("GridSeeds", Filter.by(g -> g.seed() >= 0 && g.seed() < cells))
        .apply(
            "OneKey",
            WithKeys.<Integer, GeneratedImage>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("GatherAndWritePng", ParDo.of(new WriteFn(dest, rows, cols)))
        .setCoder(StringUtf8Coder.of());
  }

  /** Keeps the cells of a window in state; writes the grid when all are in or the window ends. */
  static final class WriteFn extends DoFn<KV<Integer, GeneratedImage>, String> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<BoundedWindow, String> dest;
    private final int rows;
    private final int cols;

    @StateId("cells")
    private final StateSpec<MapState<Long, GeneratedImage>> cellsSpec =
        StateSpecs.map(VarLongCoder.of(), SerializableCoder.of(GeneratedImage.class));

    @StateId("count")
    private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

    @StateId("written")
    private final StateSpec<ValueState<Boolean>> writtenSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("windowEnd")
    private final TimerSpec windowEndSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    WriteFn(SerializableFunction<BoundedWindow, String> dest, int rows, int cols) {
      this.dest = dest;
      this.rows = rows;
      this.cols = cols;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, GeneratedImage> in,
        BoundedWindow window,
        @StateId("cells") MapState<Long, GeneratedImage> cells,
        @StateId("count") ValueState<Integer> count,
        @StateId("written") ValueState<Boolean> written,
        @TimerId("windowEnd") Timer windowEnd,
        OutputReceiver<String> out)
        throws IOException {
      if (Boolean.TRUE.equals(written.read())) {
        return;
      }
      GeneratedImage g = in.getValue();
      if (cells.get(g.seed()).read() != null) {
        return; // the same cell again (a replayed bundle)
      }
      cells.put(g.seed(), g);
      int n = (count.read() == null ? 0 : count.read()) + 1;
      count.write(n);
      if (n == rows * cols) {
        write(window, cells, written, out);
      } else if (n == 1) {
        windowEnd.set(window.maxTimestamp());
      }
    }

    @OnTimer("windowEnd")
    public void onWindowEnd(
        BoundedWindow window,
        @StateId("cells") MapState<Long, GeneratedImage> cells,
        @StateId("written") ValueState<Boolean> written,
        OutputReceiver<String> out)
        throws IOException {
      if (!Boolean.TRUE.equals(written.read())) {
        write(window, cells, written, out);
      }
    }

    private void write(
        BoundedWindow window,
        MapState<Long, GeneratedImage> cells,
        ValueState<Boolean> written,
        OutputReceiver<String> out)
        throws IOException {
      Map<Long, GeneratedImage> bySeed = new HashMap<>();
      for (Map.Entry<Long, GeneratedImage> e : cells.entries().read()) {
        bySeed.put(e.getKey(), e.getValue());
      }
      String file = dest.apply(window);
      AtomicFiles.write(file, ImageGrid.png(bySeed, 0, rows, cols));
      written.write(true);
      cells.clear();
      out.output(file);
    }
  }
}
