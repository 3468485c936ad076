package dev.cdm.pipelines.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cdm.model.data.BadImageException;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.PipelineRuns;
import dev.cdm.transforms.dataset.DatasetConversion;
import dev.cdm.transforms.dataset.ImageTransform;
import dev.cdm.transforms.dataset.PreparedSource;
import dev.cdm.transforms.dataset.SourceItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm dataset} waits for its pipeline as the other commands do ({@link PipelineRuns}): a
 * failure in a step that is not a bad input (an {@link Error} of a worker, a bug) is one line that
 * names the step; a bad input keeps the line that names it alone.
 */
class DatasetFailuresTest {
  @TempDir Path tmp;

  /** A source of two images whose reader fails as {@code failure} says. */
  static final class FailingSource implements PreparedSource {
    private static final long serialVersionUID = 1L;
    private final String failure;

    FailingSource(String failure) {
      this.failure = failure;
    }

    @Override
    public long size() {
      return 2;
    }

    @Override
    public String description() {
      return "a failing source";
    }

    @Override
    public Reader open(long start, long end) {
      return new Reader() {
        long next = start;

        @Override
        public SourceItem next() {
          switch (failure) {
            case "missing class":
              throw new NoClassDefFoundError("dev/cdm/Missing");
            case "bug":
              throw new IllegalStateException("reader state lost");
            default:
              return next < end
                  ? SourceItem.ofError(
                      next++,
                      "img" + next + ".png",
                      null,
                      new BadImageException("a.png", "truncated"))
                  : null;
          }
        }

        @Override
        public void close() {}
      };
    }
  }

  private String failureOf(String failure) throws Exception {
    Path work = Files.createDirectories(tmp.resolve(failure.replace(' ', '-')));
    DatasetConversion c =
        DatasetConversion.builder()
            .setSource(new FailingSource(failure))
            .setTransform(ImageTransform.of(ImageTransform.Mode.SCALE, null, null))
            .setWorkDir(work.toString())
            .setOutput(work.resolve("out.zip").toString())
            .setOutputZip(true)
            .setSkipBad(false)
            .setShardSize(1)
            .setRunId("test-" + failure)
            .build();
    RuntimeException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(120),
            () ->
                assertThrows(
                    RuntimeException.class,
                    () ->
                        DatasetPipeline.convert(
                            c, PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create())));
    return CommandErrors.message(e);
  }

  @Test
  void anErrorOrABugInAStepNamesTheStep() throws Exception {
    assertEquals(
        "the dataset pipeline failed in step Dataset/ConvertShards: class dev.cdm.Missing not found"
            + " (NoClassDefFoundError; is a jar missing from the classpath, e.g. of the Flink"
            + " workers? see --filesToStage)",
        failureOf("missing class"));
    assertEquals(
        "the dataset pipeline failed in step Dataset/ConvertShards: reader state lost",
        failureOf("bug"));
  }

  @Test
  void aBadInputKeepsItsOwnMessage() throws Exception {
    assertEquals(
        "Bad input image a.png: truncated (use --skip-bad to skip such images)",
        failureOf("bad image"));
  }
}
