package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
  private static String[] run(String... args) {
    CommandLine cl = Cdm.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute(args);
    return new String[] {String.valueOf(rc), out.toString(), err.toString()};
  }

  @Test
  void printsTheReferenceNetworkDescription() throws Exception {
    Path pkl = Path.of(getClass().getResource("/fixtures/ncsnpp-ve-uncond.pkl").toURI());
    String[] r = run("inspect", "--network", pkl.toString());
    assertEquals("0", r[0], r[2]);
    String o = r[1];
    assertTrue(o.contains("preconditioning: VEPrecond"), o);
    assertTrue(o.contains("architecture:    SongUNet (NCSN++"), o);
    assertTrue(o.contains("resolution:      16x16"), o);
    assertTrue(o.contains("channels:        3"), o);
    assertTrue(o.contains("label_dim:       0"), o);
    assertTrue(o.contains("augment_dim:     9"), o);
    assertTrue(o.contains("loss_fn:         VELoss"), o);
    // the count of the reference's own loaded network (sum of numel over the pickled parameters)
    assertTrue(o.matches("(?s).*parameters:      [0-9,]+\\n.*"), o);
  }

  @Test
  void aCorruptFileIsAnErrorThatNamesIt(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("broken.pkl");
    byte[] good =
        Files.readAllBytes(
            Path.of(getClass().getResource("/fixtures/ncsnpp-ve-uncond.pkl").toURI()));
    Files.write(bad, java.util.Arrays.copyOf(good, good.length / 3));
    String[] r = run("inspect", "--network", bad.toString());
    assertEquals("1", r[0]);
    assertTrue(r[2].contains("broken.pkl"), r[2]);
    r = run("inspect", "--network", dir.resolve("missing.pkl").toString());
    assertEquals("1", r[0]);
    assertTrue(r[2].contains("missing.pkl"), r[2]);
  }
}
