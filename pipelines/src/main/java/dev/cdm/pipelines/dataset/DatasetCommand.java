package dev.cdm.pipelines.dataset;

import dev.cdm.pipelines.BeamOptions;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.transforms.dataset.DatasetReport;
import dev.cdm.transforms.dataset.ImageTransform;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm dataset}: flags as the reference {@code dataset_tool.py}, plus Beam runner options.
 */
@Command(
    name = "dataset",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Convert an image dataset into a dataset archive (uncompressed PNGs + dataset.json), as the "
          + "reference dataset_tool.py does.",
      "",
      "--source formats: a folder of images (recursive; labels from its dataset.json, else from "
          + "top-level folder names), an image ZIP, cifar-10-python.tar.gz, MNIST "
          + "*-images-idx3-ubyte[.gz] (training or test file), an LSUN *_lmdb folder (records in key order, as RGB).",
      "--dest: a .zip archive or a folder (must be empty); written under a temporary name and renamed on success.",
      ""
    },
    footer = {
      "",
      "Beam options are passed through: --runner=DirectRunner (default) or --runner=FlinkRunner "
          + "--flinkMaster=[local]|host:port, --parallelism=N, --targetParallelism=N (DirectRunner).",
      "Example: cdm dataset --source=data/mnist/train-images-idx3-ubyte.gz --dest=out/mnist.zip"
    })
public final class DatasetCommand implements Callable<Integer> {
  private static final Pattern TUPLE = Pattern.compile("^(\\d+)[x,](\\d+)$");

  @Option(
      names = "--source",
      required = true,
      paramLabel = "PATH",
      description = "Input directory or archive name")
  String source;

  @Option(
      names = "--dest",
      required = true,
      paramLabel = "PATH",
      description = "Output directory or archive name")
  String dest;

  @Option(
      names = "--max-images",
      paramLabel = "INT",
      description = "Maximum number of images to output")
  Long maxImages;

  @Option(
      names = "--transform",
      paramLabel = "MODE",
      description = "Input crop/resize mode: center-crop | center-crop-wide")
  String transform;

  @Option(
      names = "--resolution",
      paramLabel = "WxH",
      description = "Output resolution (e.g., 512x512)")
  String resolution;

  @Option(
      names = "--skip-bad",
      description = "Skip unreadable or corrupt images (counted and listed) instead of failing")
  boolean skipBad;

  @Option(
      names = "--shard-size",
      paramLabel = "INT",
      description = "Images per unit of parallel work (default: automatic)")
  Integer shardSize;

  @Mixin BeamOptions beam;

  @Override
  public Integer call() throws Exception {
    DatasetPipeline.Job job = new DatasetPipeline.Job();
    job.source = source;
    job.dest = dest;
    job.maxImages = maxImages;
    job.skipBad = skipBad;
    job.shardSize = shardSize;
    Integer w = null;
    Integer h = null;
    if (resolution != null) {
      Matcher m = TUPLE.matcher(resolution);
      if (!m.matches()) {
        throw CommandErrors.usage(
            "--resolution: cannot parse tuple " + resolution + " (expected WxH)");
      }
      w = Integer.parseInt(m.group(1));
      h = Integer.parseInt(m.group(2));
    }
    ImageTransform.Mode mode;
    try {
      mode = transform == null ? ImageTransform.Mode.SCALE : ImageTransform.Mode.ofFlag(transform);
      job.transform = ImageTransform.of(mode, w, h);
    } catch (IllegalArgumentException e) {
      throw CommandErrors.usage(e.getMessage());
    }
    long t0 = System.nanoTime();
    DatasetReport report = DatasetPipeline.run(job, beam.args());
    System.err.printf(
        "dataset: %s -> %s in %.1fs%n", report.summary(), dest, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
