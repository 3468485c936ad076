package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * An {@link Error} thrown in a worker (a class missing from its classpath) fails the command at
 * once, in one line that names the step, on the DirectRunner and on the embedded Flink runner.
 */
class PipelineRunsTest {
  static final String[] DIRECT = {"--runner=DirectRunner"};
  static final String[] FLINK = {
    "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"
  };

  /** Throws what a worker whose classpath lacks a class throws, in processElement. */
  static final class MissingClassFn extends DoFn<Integer, Integer> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      throw new NoClassDefFoundError("dev/cdm/Missing");
    }
  }

  /** The same in @Setup (a network loader that cannot load its classes). */
  static final class MissingClassAtSetupFn extends DoFn<Integer, Integer> {
    private static final long serialVersionUID = 1L;

    @Setup
    public void setup() {
      throw new NoClassDefFoundError("dev/cdm/Missing");
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      out.output(x);
    }
  }

  /** Fails an assertion. */
  static final class AssertingFn extends DoFn<Integer, Integer> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element Integer x) {
      throw new AssertionError("boom");
    }
  }

  /** Create -> Double (MapElements) -> Explode (fn) -> Halve: the error is in the middle step. */
  static Pipeline pipeline(DoFn<Integer, Integer> fn, String... args) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
    p.apply(Create.of(1, 2, 3, 4))
        .apply("Double", MapElements.into(TypeDescriptors.integers()).via((Integer x) -> 2 * x))
        .apply("Explode", ParDo.of(fn))
        .apply("Halve", MapElements.into(TypeDescriptors.integers()).via((Integer x) -> x / 2));
    return p;
  }

  /** The command's exit code and stderr when the pipeline fails inside {@code cdm}'s reporter. */
  @Command(name = "job")
  static final class JobCommand implements Callable<Integer> {
    final Pipeline p;

    JobCommand(Pipeline p) {
      this.p = p;
    }

    @Override
    public Integer call() {
      PipelineRuns.runToEnd(p, "the job pipeline");
      return 0;
    }
  }

  static void assertFailsInOneLineNamingTheStep(Pipeline p) {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new JobCommand(p));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(new CommandErrors(new boolean[1]));
    int rc = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> cl.execute());
    assertEquals(CommandErrors.FAILED, rc, err.toString());
    assertEquals(
        "job: error: the job pipeline failed in step Explode: class dev.cdm.Missing not found"
            + " (NoClassDefFoundError; is a jar missing from the classpath, e.g. of the Flink"
            + " workers? see --filesToStage)",
        err.toString().strip());
  }

  @Test
  void anErrorInAWorkerFailsTheCommandOnTheDirectRunner() {
    assertFailsInOneLineNamingTheStep(pipeline(new MissingClassFn(), DIRECT));
    assertFailsInOneLineNamingTheStep(pipeline(new MissingClassAtSetupFn(), DIRECT));
  }

  @Test
  @Tag("slow")
  void anErrorInAWorkerFailsTheCommandOnFlink() {
    assertFailsInOneLineNamingTheStep(pipeline(new MissingClassFn(), FLINK));
    assertFailsInOneLineNamingTheStep(pipeline(new MissingClassAtSetupFn(), FLINK));
  }

  @Test
  void aStepThatEndsWellIsQuietAndAnUnknownFrameNamesNoStep() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(DIRECT).create());
    p.apply(Create.of(1, 2))
        .apply("Double", MapElements.into(TypeDescriptors.integers()).via((Integer x) -> 2 * x));
    PipelineRuns.runToEnd(p, "the job pipeline");
    assertEquals(
        null,
        PipelineRuns.failedStep(
            new AssertionError("boom"), PipelineRuns.stepsByDoFn(pipeline(new MissingClassFn()))));
    PipelineRuns.Failed f =
        assertThrows(
            PipelineRuns.Failed.class,
            () -> PipelineRuns.runToEnd(pipeline(new AssertingFn(), DIRECT), "the job pipeline"));
    assertTrue(
        f.getMessage().endsWith("failed in step Explode: AssertionError: boom"), f.getMessage());
  }
}
