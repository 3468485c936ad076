package dev.cdm.transforms.dataset;

import dev.cdm.model.data.BadImageException;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.transforms.ProgressMeter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Converts one shard: reads its input range, applies the crop/resize, encodes uncompressed PNGs and
 * writes them to a shard file; reports what the final writer must validate. Memory is one image at
 * a time, whatever the dataset size.
 */
final class ConvertShardFn extends DoFn<ShardRange, ShardResult> {
  private static final long serialVersionUID = 1L;
  static final int MAX_BAD_NAMES = 20;

  private final DatasetConversion conversion;
  // Beam metrics (cdm dataset prints them at its end): PNGs and their bytes written to the shards,
  // bad inputs skipped (--skip-bad).
  private final Counter converted = Metrics.counter("cdm", "dataset.images");
  private final Counter convertedBytes = Metrics.counter("cdm", "dataset.bytes");
  private final Counter badInputs = Metrics.counter("cdm", "dataset.bad");

  ConvertShardFn(DatasetConversion conversion) {
    this.conversion = conversion;
  }

  @ProcessElement
  public void process(@Element ShardRange range, OutputReceiver<ShardResult> out) throws Exception {
    ProgressMeter progress =
        ProgressMeter.of(
            conversion.runId() + "/convert",
            "dataset: converted",
            "images",
            conversion.source().size());
    Path file = Path.of(conversion.workDir(), String.format("shard-%06d.bin", range.id));
    long images = 0;
    long nullLabels = 0;
    long skipped = 0;
    long bad = 0;
    List<String> badExamples = new ArrayList<>();
    long firstIndex = -1;
    String firstName = null;
    ImageAttrs firstAttrs = null;
    long mismatchIndex = -1;
    String mismatchName = null;
    ImageAttrs mismatchAttrs = null;
    try (PreparedSource.Reader reader = conversion.source().open(range.start, range.end);
        ShardFile.Writer writer = new ShardFile.Writer(file)) {
      SourceItem item;
      while ((item = reader.next()) != null) {
        progress.add(1);
        Pixels img;
        try {
          img = conversion.transform().apply(item.decode(), item.name());
        } catch (BadImageException e) {
          if (!conversion.skipBad()) {
            throw new IllegalArgumentException(
                "Bad input image " + e.getMessage() + " (use --skip-bad to skip such images)", e);
          }
          bad++;
          badInputs.inc();
          if (badExamples.size() < MAX_BAD_NAMES) {
            badExamples.add(e.getMessage());
          }
          continue;
        }
        if (img == null) { // the reference's transform returned None: no output, index kept
          skipped++;
          continue;
        }
        ImageAttrs attrs = ImageAttrs.of(img);
        if (firstAttrs == null) {
          firstIndex = item.index();
          firstName = item.name();
          firstAttrs = attrs;
        } else if (!attrs.equals(firstAttrs)) {
          // The writer reports it (or an earlier shard's difference); nothing after it matters.
          mismatchIndex = item.index();
          mismatchName = item.name();
          mismatchAttrs = attrs;
          break;
        }
        if (attrs.channels == 1 || attrs.channels == 3) {
          byte[] png = PngCodec.encode(img);
          writer.write(item.index(), item.label(), png);
          converted.inc();
          convertedBytes.inc(png.length);
        }
        images++;
        if (item.label() == null) {
          nullLabels++;
        }
      }
      writer.commit();
    }
    out.output(
        new ShardResult(
            range,
            file.toString(),
            images,
            nullLabels,
            skipped,
            bad,
            badExamples,
            firstIndex,
            firstName,
            firstAttrs,
            mismatchIndex,
            mismatchName,
            mismatchAttrs));
  }
}
