package dev.cdm.transforms.fid;

import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/**
 * Images that never touch the disk (as a generator's samples) score like the same images read from
 * files.
 */
class BatchImagesTest {
  /** A test image: (index, 32x32x3 HWC pixels: the gray fixture image in all three channels). */
  static final class View implements BatchImages.HwcView<KV<Integer, byte[]>> {
    @Override
    public int height(KV<Integer, byte[]> image) {
      return 32;
    }

    @Override
    public int width(KV<Integer, byte[]> image) {
      return 32;
    }

    @Override
    public int channels(KV<Integer, byte[]> image) {
      return 3;
    }

    @Override
    public byte[] pixels(KV<Integer, byte[]> image) {
      return image.getValue();
    }
  }

  @Test
  void streamedRgbImagesGiveReferenceStatistics() throws IOException {
    NpzFile fx = FixtureImages.fidCase();
    byte[] gray = fx.get("imagesB").toUint8();
    List<KV<Integer, byte[]>> images = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      byte[] hwc = new byte[32 * 32 * 3];
      for (int p = 0; p < 1024; p++) {
        byte v = gray[i * 1024 + p];
        hwc[3 * p] = v;
        hwc[3 * p + 1] = v;
        hwc[3 * p + 2] = v;
      }
      images.add(KV.of(i, hwc));
    }
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PAssert.that(
            p.apply(Create.of(images).withCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of())))
                .apply(BatchImages.of(new View(), 48))
                .apply(
                    ExtractStatistics.builder()
                        .setDetector(FixtureImages.resource("tiny-detector.pt").toString())
                        .setDevice("cpu")
                        .build()))
        .satisfies(new ExtractStatisticsTest.MatchesReferenceB());
    p.run().waitUntilFinish();
  }
}
