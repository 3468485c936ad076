package dev.cdm.transforms.fid;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Single images (e.g. fresh samples of a generator, never written to disk) into {@link
 * ImageBatch}es for the detector: HWC pixels transposed to CHW, collected per bundle into
 * batches of up to {@code batchSize} same-shaped images, all in group 0.
 */
public final class BatchImages<T> extends PTransform<PCollection<T>, PCollection<ImageBatch>> {
  /** How to see an element as an 8-bit HWC image. */
  public interface HwcView<T> extends Serializable {
    int height(T image);

    int width(T image);

    int channels(T image);

    /** Pixels [H, W, C], row-major. */
    byte[] pixels(T image);
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
    return images.apply("Batch", ParDo.of(new BatchFn<>(view, batchSize)))
        .setCoder(ImageBatchCoder.of());
  }

  static final class BatchFn<T> extends DoFn<T, ImageBatch> {
    private final HwcView<T> view;
    private final int batchSize;
    private transient List<byte[]> pending;
    private transient int c;
    private transient int h;
    private transient int w;
    private transient long emitted;

    BatchFn(HwcView<T> view, int batchSize) {
      this.view = view;
      this.batchSize = batchSize;
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element T image, OutputReceiver<ImageBatch> out) {
      int ih = view.height(image);
      int iw = view.width(image);
      int ic = view.channels(image);
      if (!pending.isEmpty() && (ih != h || iw != w || ic != c)) {
        throw new IllegalArgumentException("images of different shapes in one FID run: " + ic + "x"
            + ih + "x" + iw + " after " + c + "x" + h + "x" + w);
      }
      h = ih;
      w = iw;
      c = ic;
      byte[] hwc = view.pixels(image);
      byte[] chw = new byte[hwc.length];
      int plane = h * w;
      for (int p = 0; p < plane; p++) {
        for (int ch = 0; ch < c; ch++) {
          chw[ch * plane + p] = hwc[p * c + ch];
        }
      }
      pending.add(chw);
      if (pending.size() == batchSize) {
        out.output(flush());
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (!pending.isEmpty()) {
        context.output(flush(), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }

    private ImageBatch flush() {
      int per = c * h * w;
      byte[] all = new byte[pending.size() * per];
      for (int i = 0; i < pending.size(); i++) {
        System.arraycopy(pending.get(i), 0, all, i * per, per);
      }
      ImageBatch b = new ImageBatch(0, emitted, pending.size(), c, h, w, all);
      emitted += pending.size();
      pending.clear();
      return b;
    }
  }
}
