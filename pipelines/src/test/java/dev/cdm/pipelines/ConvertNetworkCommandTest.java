package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.NetworkSnapshot;
import dev.cdm.model.io.SyntheticCheckpoint;
import dev.cdm.model.io.TensorData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertNetworkCommandTest {
  @TempDir Path tmp;

  @Test
  void convertsAReferencePickle() throws Exception {
    Path pkl = tmp.resolve("network-snapshot-000100.pkl");
    try (OutputStream out = Files.newOutputStream(pkl)) {
      SyntheticCheckpoint.write(
          out,
          SyntheticCheckpoint.Layout.REFERENCE_PKL,
          "EDMPrecond",
          Map.of("img_resolution", 32L),
          Map.of(
              "w",
              SyntheticCheckpoint.View.of(
                  TensorData.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4}))));
    }
    Path dest = tmp.resolve("net.safetensors");
    int rc =
        Cdm.commandLine()
            .execute("convert-network", "--network", pkl.toString(), "--dest", dest.toString());
    assertEquals(0, rc);
    NetworkSnapshot s = NetworkSnapshot.read(dest);
    assertEquals("EDMPrecond", s.className());
    assertEquals(32L, s.initKwargs().get("img_resolution"));
    assertEquals(4f, s.stateDict().get("model.w").toFloatArray()[3]);
  }

  @Test
  void refusesAHostilePickleNamingIt() throws Exception {
    Path pkl = Files.write(tmp.resolve("evil.pkl"), "cos\nsystem\n(S'echo hi'\ntR.".getBytes());
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    try {
      int rc =
          Cdm.commandLine()
              .execute(
                  "convert-network",
                  "--network",
                  pkl.toString(),
                  "--dest",
                  tmp.resolve("o.safetensors").toString());
      assertEquals(1, rc);
    } finally {
      System.setErr(old);
    }
    assertTrue(err.toString().contains("refusing global os.system in " + pkl), err.toString());
    assertTrue(Files.notExists(tmp.resolve("o.safetensors")));
  }
}
