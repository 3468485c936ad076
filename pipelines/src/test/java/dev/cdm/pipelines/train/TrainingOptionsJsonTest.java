package dev.cdm.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code training_options.json} byte for byte as the command wrote it before {@code TrainingConfig}
 * existed (recorded from that version; the run directory and dataset path replaced by
 * placeholders). The dry run prints exactly the string that a run writes to the file.
 */
class TrainingOptionsJsonTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "cdm-defaults|--seed=3",
        "edm-everything|--precond=edm --arch=ncsnpp --cond=0 --augment=0 --tick=0.5 --lr_rampup=500 --batch=64"
            + " --batch-gpu=32 --fp16=1 --cbase=64 --cres=1-3 --num-blocks=2 --seed=5 --xflip=1 --desc=x --nosubdir",
        "vp-transfer|--precond=vp --arch=adm --transfer=somewhere/network-snapshot-000100.pkl --seed=7",
        "ve-resume|--precond=ve --resume=@TMP@/training-state-000100.pt --seed=9 --tick=2",
        "cdm-flags|--martingale_lambda=3 --martingale_steps=4 --S_churn=5 --S_min=0.02 --S_max=2 --S_noise=1.0"
            + " --chain-fp16=1 --ls=2 --bench=0 --cache=0 --workers=3 --duration=0.0001 --ema=0.3 --lr=0.0002"
            + " --snap=3 --dump=7 --dropout=0.0 --seed=11",
      })
  void unchangedForTheSameFlags(String name, String flags) throws Exception {
    Files.writeString(tmp.resolve("training-state-000100.pt"), "not read by a dry run");
    String data = TrainCommandTest.mnist().toString();
    String[] args =
        ("train --outdir="
                + tmp.resolve("runs")
                + " --data="
                + data
                + " -n "
                + flags.replace("@TMP@", tmp.toString()))
            .split(" ");
    Object[] r = TrainCommandTest.cdm(args);
    String out = (String) r[1];
    assertEquals(0, r[0], out);
    int from = out.indexOf("Training options:\n");
    int to = out.indexOf("\n\nOutput directory:");
    assertTrue(from >= 0 && to > from, out);
    String json =
        out.substring(from + "Training options:\n".length(), to)
            .replace(tmp.toString(), "@TMP@")
            .replace(data, "@DATA@");
    String resource = "/training-options/" + name + ".json";
    try (InputStream in = TrainingOptionsJsonTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        Path actual = Path.of("target", "training-options-" + name + ".json");
        Files.writeString(actual, json);
        assertNotNull(
            in, resource + " missing; this version's output is in " + actual.toAbsolutePath());
      }
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), json);
    } catch (IOException e) {
      throw e;
    }
  }
}
