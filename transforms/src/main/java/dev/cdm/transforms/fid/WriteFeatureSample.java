package dev.cdm.transforms.fid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.fid.Detector;
import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * The detector features of a sample of images, kept whole (not summed) and written as one {@code
 * .npz} with the key {@code features} [N, d] float32: the reference side of KID, which needs
 * features rather than their mean and covariance.
 */
public final class WriteFeatureSample
    extends PTransform<PCollection<ImageBatch>, PCollection<String>> {
  /** The key of the feature sample in a statistics file. */
  public static final String KEY = "features";

  private final String detector;
  private final String device;
  private final String dest;

  public WriteFeatureSample(String detector, String device, String dest) {
    this.detector = detector;
    this.device = device;
    this.dest = dest;
  }

  @Override
  public PCollection<String> expand(PCollection<ImageBatch> images) {
    return images
        .apply("Features", ParDo.of(new FeaturesFn(detector, device)))
        .setCoder(
            KvCoder.of(
                VarIntCoder.of(), dev.cdm.transforms.io.JavaSerializedCoder.of(float[][].class)))
        .apply("Gather", GroupByKey.create())
        .apply("WriteNpz", ParDo.of(new WriteFn(dest)));
  }

  /** One batch's features, rows [count][d], all under key 0. */
  static final class FeaturesFn extends DoFn<ImageBatch, KV<Integer, float[][]>> {
    private final String detectorSpec;
    private final String device;
    private transient Detector detector;
    private transient NDManager manager;

    FeaturesFn(String detectorSpec, String device) {
      this.detectorSpec = detectorSpec;
      this.device = device;
    }

    @Setup
    public void setup() {
      detector = SharedDetectors.get(detectorSpec, device);
      manager = NDManager.newBaseManager(detector.device());
    }

    @ProcessElement
    public void process(@Element ImageBatch b, OutputReceiver<KV<Integer, float[][]>> out) {
      try (NDManager step = manager.newSubManager()) {
        NDArray images =
            step.create(
                ByteBuffer.wrap(b.pixels()),
                new Shape(b.count(), b.channels(), b.height(), b.width()),
                DataType.UINT8);
        NDArray f = detector.features(images);
        int d = (int) f.getShape().get(1);
        float[] all = f.toFloatArray();
        float[][] rows = new float[b.count()][];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = java.util.Arrays.copyOfRange(all, i * d, (i + 1) * d);
        }
        out.output(KV.of(0, rows));
      }
    }

    @Teardown
    public void teardown() {
      if (manager != null) {
        manager.close();
      }
    }
  }

  static final class WriteFn extends DoFn<KV<Integer, Iterable<float[][]>>, String> {
    private final String dest;

    WriteFn(String dest) {
      this.dest = dest;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<float[][]>> in, OutputReceiver<String> out)
        throws IOException {
      List<float[]> rows = new ArrayList<>();
      for (float[][] batch : in.getValue()) {
        java.util.Collections.addAll(rows, batch);
      }
      int d = rows.get(0).length;
      float[] flat = new float[rows.size() * d];
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(rows.get(i), 0, flat, i * d, d);
      }
      Map<String, NpyArray> arrays = new LinkedHashMap<>();
      arrays.put(KEY, NpyArray.ofFloats(flat, rows.size(), d));
      // Through the file layer: the worker may be on another host than the command.
      dev.cdm.transforms.io.AtomicFiles.write(dest, NpzFile.toBytes(arrays));
      out.output(dest);
    }
  }
}
