package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** One Beam-options mixin: every command that runs a pipeline takes the same Beam flags. */
class BeamOptionsTest {
  @TempDir Path tmp;

  /** The required flags of each command (their values are not read when parsing). */
  private static final Map<String, List<String>> REQUIRED =
      Map.of(
          "dataset", List.of("--source=in", "--dest=out.zip"),
          "ref", List.of("--data=in", "--dest=ref.npz"),
          "fid", List.of("--images=in", "--ref=ref.npz"),
          "generate", List.of("--network=net.pkl", "--outdir=out"),
          "evaluate", List.of("--snapshots=run", "--ref=ref.npz"));

  private static PipelineOptions options(String command, String... beamFlags) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(REQUIRED.get(command));
    args.addAll(List.of(beamFlags));
    CommandLine.ParseResult parsed = Cdm.commandLine().parseArgs(args.toArray(new String[0]));
    Object mixin = parsed.subcommand().commandSpec().mixins().get("beam").userObject();
    return ((BeamOptions) mixin).create();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dataset", "ref", "fid", "generate", "evaluate"})
  void flinkFlagsAndPassThroughOptionsReachBeam(String command) {
    PipelineOptions o =
        options(
            command,
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--maxBundleSize=7",
            "--tempLocation=" + tmp);
    FlinkPipelineOptions flink = o.as(FlinkPipelineOptions.class);
    assertEquals("FlinkRunner", o.getRunner().getSimpleName(), command);
    assertEquals("[local]", flink.getFlinkMaster(), command);
    assertEquals(2, flink.getParallelism(), command);
    assertEquals(7L, flink.getMaxBundleSize(), command);
    assertEquals(tmp.toString(), o.getTempLocation(), command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dataset", "generate"})
  void parallelismSetsTheDirectRunnersThreads(String command) {
    PipelineOptions o = options(command, "--parallelism=3");
    assertEquals("DirectRunner", o.getRunner().getSimpleName(), command);
    assertEquals(3, o.as(DirectOptions.class).getTargetParallelism(), command);
  }

  @Test
  void anUnknownOptionIsTheSameUsageErrorForTwoCommands() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("images"));
    UserErrorsTest.Run ref =
        UserErrorsTest.cdm(
            "ref", "--data=" + images, "--dest=" + tmp.resolve("r.npz"), "--noSuchBeamOption=1");
    UserErrorsTest.Run dataset =
        UserErrorsTest.cdm(
            "dataset",
            "--source=" + images,
            "--dest=" + tmp.resolve("d.zip"),
            "--noSuchBeamOption=1");
    for (UserErrorsTest.Run r : List.of(ref, dataset)) {
      assertEquals(2, r.rc(), r.err());
      String line = r.oneLineNaming("--noSuchBeamOption");
      assertTrue(line.contains("neither a flag of this command nor a Beam pipeline option"), line);
    }
    assertFalse(Files.exists(tmp.resolve("r.npz")) || Files.exists(tmp.resolve("d.zip")));
  }
}
