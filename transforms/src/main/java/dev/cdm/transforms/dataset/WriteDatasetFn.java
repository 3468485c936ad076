package dev.cdm.transforms.dataset;

import dev.cdm.transforms.ProgressMeter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The single final writer: checks the dataset-wide rules in index order (as the reference does
 * image by image), then streams every shard's PNGs into the destination in index order, followed by
 * dataset.json. It holds one image and the shard summaries (one per shard), never the dataset.
 */
final class WriteDatasetFn extends DoFn<KV<Integer, Iterable<ShardResult>>, DatasetReport> {
  private static final long serialVersionUID = 1L;

  private final DatasetConversion conversion;

  WriteDatasetFn(DatasetConversion conversion) {
    this.conversion = conversion;
  }

  /** {@code 00000/img00000000.png}: the reference's archive name of input index {@code idx}. */
  static String archiveName(long idx) {
    String s = String.format("%08d", idx);
    return s.substring(0, 5) + "/img" + s + ".png";
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, Iterable<ShardResult>> all, OutputReceiver<DatasetReport> out)
      throws IOException {
    List<ShardResult> shards = new ArrayList<>();
    all.getValue().forEach(shards::add);
    shards.sort(Comparator.comparingInt(s -> s.range.id));
    DatasetReport report = validate(shards);

    Path json = Path.of(conversion.workDir(), "dataset.json.part");
    ProgressMeter progress =
        ProgressMeter.of(
            conversion.runId() + "/write", "dataset: written", "images", report.images);
    try (DatasetArchiveWriter dest =
            DatasetArchiveWriter.open(Path.of(conversion.output()), conversion.outputZip());
        Writer labels = Files.newBufferedWriter(json, StandardCharsets.UTF_8)) {
      // json.dumps(metadata) with its default separators; labels null unless every image has one.
      labels.write(report.labels ? "{\"labels\": [" : "{\"labels\": null}");
      boolean firstLabel = true;
      for (ShardResult s : shards) {
        Path file = Path.of(s.file);
        try (ShardFile.Reader reader = new ShardFile.Reader(file)) {
          ShardFile.Record r;
          while ((r = reader.next()) != null) {
            String name = archiveName(r.index);
            dest.write(name, r.png);
            if (report.labels) {
              labels.write(firstLabel ? "[\"" : ", [\"");
              labels.write(name);
              labels.write("\", ");
              labels.write(r.label);
              labels.write("]");
              firstLabel = false;
            }
            progress.add(1);
          }
        }
        Files.delete(file);
      }
      if (report.labels) {
        labels.write("]}");
      }
      labels.close();
      dest.writeFile("dataset.json", json);
    }
    progress.finish();
    Files.delete(json);
    report.save(Path.of(conversion.workDir(), "report.json"));
    out.output(report);
  }

  /**
   * The reference's checks, raised for the image in index order that a sequential run would name.
   */
  private DatasetReport validate(List<ShardResult> shards) {
    DatasetReport report = new DatasetReport();
    ImageAttrs attrs = null;
    long nullLabels = 0;
    for (ShardResult s : shards) {
      report.inputs += s.range.end - s.range.start;
      report.images += s.images;
      report.skippedByTransform += s.skippedByTransform;
      report.bad += s.bad;
      nullLabels += s.nullLabels;
      for (String b : s.badExamples) {
        if (report.badExamples.size() < ConvertShardFn.MAX_BAD_NAMES) {
          report.badExamples.add(b);
        }
      }
      if (s.firstAttrs == null) {
        continue;
      }
      if (attrs == null) {
        attrs = s.firstAttrs;
        String where = " (first image: " + s.firstName + ")";
        if (attrs.width != attrs.height) {
          throw new IllegalArgumentException(
              "Image dimensions after scale and crop are required to be square.  Got "
                  + attrs.width
                  + "x"
                  + attrs.height
                  + where);
        }
        if (attrs.channels != 1 && attrs.channels != 3) {
          throw new IllegalArgumentException(
              "Input images must be stored as RGB or grayscale, got "
                  + attrs.channels
                  + " channels"
                  + where);
        }
        if (Integer.bitCount(attrs.width) != 1) {
          throw new IllegalArgumentException(
              "Image width/height after scale and crop are required to be power-of-two, got "
                  + attrs.width
                  + where);
        }
      } else if (!attrs.equals(s.firstAttrs)) {
        throw mismatch(attrs, s.firstIndex, s.firstName, s.firstAttrs);
      }
      if (s.mismatchIndex >= 0) {
        throw mismatch(attrs, s.mismatchIndex, s.mismatchName, s.mismatchAttrs);
      }
    }
    report.attrs = attrs == null ? null : attrs.toString();
    report.labels = nullLabels == 0;
    return report;
  }

  private static IllegalArgumentException mismatch(
      ImageAttrs want, long index, String input, ImageAttrs got) {
    return new IllegalArgumentException(
        "Image "
            + archiveName(index)
            + " ("
            + input
            + ") attributes must be equal across all images of the dataset.  Got:\n"
            + "  dataset width/cur image width: "
            + want.width
            + "/"
            + got.width
            + "\n"
            + "  dataset height/cur image height: "
            + want.height
            + "/"
            + got.height
            + "\n"
            + "  dataset channels/cur image channels: "
            + want.channels
            + "/"
            + got.channels);
  }
}
