package dev.cdm.pipelines.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.cdm.model.training.KimgFileName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --until-kimg} of {@code cdm evaluate --watch} takes a decimal kimg: the watch ends at the
 * first settled snapshot of at least that kimg, snapshots of a fraction of a kimg included.
 */
class SnapshotPollFnTest {
  @TempDir Path tmp;

  /**
   * Whether the watch of a run whose results hold a snapshot of {@code kimg} ends at {@code until}.
   */
  private boolean endsAt(double kimg, double until) throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run-" + kimg + "-" + until));
    JsonObject row = new JsonObject();
    // As the results of a training's snapshot: the kimg read back from its file name.
    String name = KimgFileName.format(KimgFileName.NETWORK, Math.round(kimg * 1000), true, ".pkl");
    row.addProperty("snapshot", name);
    row.addProperty("kimg", KimgFileName.jsonNumber(KimgFileName.parse(name).kimg()));
    new ResultsLog(run.toString()).append(row);
    PrintStream err = System.err;
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
    try {
      new SnapshotPollFn(run.toString(), 0, until).apply(run.toString(), null);
    } finally {
      System.setErr(err);
    }
    return said.toString(StandardCharsets.UTF_8)
        .contains("Reached --until-kimg=" + KimgFileName.text(until) + "; stopping.");
  }

  @Test
  void aDecimalUntilKimgEndsTheWatchAtTheFirstSnapshotOfAtLeastIt() throws Exception {
    assertEquals(true, endsAt(1.5, 1.5));
    assertEquals(true, endsAt(2, 1.5));
    assertEquals(false, endsAt(1.499, 1.5));
    assertEquals(true, endsAt(0.1, 0.1));
    assertEquals(true, endsAt(4, 4));
    assertEquals(false, endsAt(3, 4));
  }

  @Test
  void theCommandAcceptsADecimalUntilKimgAndRefusesANegativeOne() throws Exception {
    Path ref = EvaluateCommandTest.fixture("fid-refA.npz");
    Object[] decimal =
        EvaluateCommandTest.cdm(EvaluateCommandTest.common(tmp, ref, "--until-kimg=1.5"));
    assertEquals(2, decimal[0]);
    assertEquals("cdm evaluate: error: --until-kimg needs --watch", ((String) decimal[1]).strip());
    Object[] negative =
        EvaluateCommandTest.cdm(EvaluateCommandTest.common(tmp, ref, "--watch", "--until-kimg=-1"));
    assertEquals(2, negative[0]);
    assertEquals(
        "cdm evaluate: error: --until-kimg: must be a number >= 0, got -1.0",
        ((String) negative[1]).strip());
  }
}
