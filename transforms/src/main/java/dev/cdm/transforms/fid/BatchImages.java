package dev.cdm.transforms.fid;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Single images (e.g. fresh samples of a generator, never written to disk) into {@link
 * ImageBatch}es for the detector: HWC pixels transposed to CHW, collected per bundle into batches
 * of up to {@code batchSize} same-shaped images of the same group (the repeat index).
 */
public final class BatchImages<T> extends PTransform<PCollection<T>, PCollection<ImageBatch>> {
  /** How to see an element as an 8-bit HWC image. */
  public interface HwcView<T> extends Serializable {
    int height(T image);

    int width(T image);

    int channels(T image);

    /** Pixels [H, W, C], row-major. */
    byte[] pixels(T image);

    /** The statistics group (repeat index) the image counts towards. */
    default int group(T image) {
      return 0;
    }
  }

  private final HwcView<T> view;
  private final int batchSize;

  private BatchImages(HwcView<T> view, int batchSize) {
    this.view = view;
    this.batchSize = batchSize;
  }

  public static <T> BatchImages<T> of(HwcView<T> view, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
    }
    return new BatchImages<>(view, batchSize);
  }

  @Override
  public PCollection<ImageBatch> expand(PCollection<T> images) {
    return images
        .apply("Batch", ParDo.of(new BatchFn<>(view, batchSize)))
        .setCoder(ImageBatchCoder.of());
  }

  /** [H, W, C] pixels to [C, H, W], the detector's layout. */
  public static byte[] toChw(byte[] hwc, int h, int w, int c) {
    byte[] chw = new byte[hwc.length];
    int plane = h * w;
    for (int p = 0; p < plane; p++) {
      for (int ch = 0; ch < c; ch++) {
        chw[ch * plane + p] = hwc[p * c + ch];
      }
    }
    return chw;
  }

  static final class BatchFn<T> extends DoFn<T, ImageBatch> {
    private final HwcView<T> view;
    private final int batchSize;
    private transient Map<Integer, List<byte[]>> pending;
    private transient int c;
    private transient int h;
    private transient int w;
    private transient boolean shapeSeen;
    private transient long emitted;

    BatchFn(HwcView<T> view, int batchSize) {
      this.view = view;
      this.batchSize = batchSize;
    }

    @StartBundle
    public void startBundle() {
      pending = new TreeMap<>();
    }

    @ProcessElement
    public void process(@Element T image, OutputReceiver<ImageBatch> out) {
      int ih = view.height(image);
      int iw = view.width(image);
      int ic = view.channels(image);
      if (shapeSeen && (ih != h || iw != w || ic != c)) {
        throw new IllegalArgumentException(
            "images of different shapes in one FID run: "
                + ic
                + "x"
                + ih
                + "x"
                + iw
                + " after "
                + c
                + "x"
                + h
                + "x"
                + w);
      }
      shapeSeen = true;
      h = ih;
      w = iw;
      c = ic;
      byte[] chw = toChw(view.pixels(image), h, w, c);
      int group = view.group(image);
      List<byte[]> list = pending.computeIfAbsent(group, g -> new ArrayList<>());
      list.add(chw);
      if (list.size() == batchSize) {
        out.output(flush(group, list));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<Integer, List<byte[]>> e : pending.entrySet()) {
        if (!e.getValue().isEmpty()) {
          context.output(
              flush(e.getKey(), e.getValue()),
              BoundedWindow.TIMESTAMP_MIN_VALUE,
              GlobalWindow.INSTANCE);
        }
      }
      pending.clear();
    }

    private ImageBatch flush(int group, List<byte[]> list) {
      int per = c * h * w;
      byte[] all = new byte[list.size() * per];
      for (int i = 0; i < list.size(); i++) {
        System.arraycopy(list.get(i), 0, all, i * per, per);
      }
      ImageBatch b = new ImageBatch(group, emitted, list.size(), c, h, w, all);
      emitted += list.size();
      list.clear();
      return b;
    }
  }
}
