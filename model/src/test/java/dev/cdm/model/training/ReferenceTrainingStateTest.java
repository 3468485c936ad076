package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.io.SyntheticCheckpoint;
import dev.cdm.model.io.SyntheticCheckpoint.Layout;
import dev.cdm.model.io.SyntheticCheckpoint.View;
import dev.cdm.model.io.TensorData;
import dev.cdm.model.io.pickle.PyTuple;
import dev.cdm.model.loss.EDMLoss;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} from the reference's files: a state of our loop, written as the reference's
 * {@code training-state-NNNNNN.pt} (net, Adam state by parameter index) and {@code
 * network-snapshot-NNNNNN.pkl} (EMA), reads back to the same net, EMA, moments and step.
 */
class ReferenceTrainingStateTest {
  @TempDir Path tmp;

  private static Map<String, View> views(Map<String, NDArray> arrays) {
    Map<String, View> out = new LinkedHashMap<>();
    arrays.forEach(
        (k, v) -> {
          assertTrue(k.startsWith("model."), k);
          out.put(k.substring("model.".length()), View.of(TensorData.fromNDArray(v)));
        });
    return out;
  }

  @Test
  void referenceStateReadsBackAsTheLoopsState() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data =
            new TrainingSet(
                ImageArchive.open(TrainingLoopTest.mnist()), false, false, true, 1, 7)) {
      TrainingOptions o =
          TrainingLoopTest.opts(tmp.resolve("run")).totalKimg(0.032).maxSteps(2L).build();
      Files.createDirectories(o.runDir());
      List<String> lines = new ArrayList<>();
      TrainingLoop.builder()
          .setOptions(o)
          .setData(data)
          .setNetworkFactory(TrainingLoopTest.tinyFactory(data, false))
          .setLoss(new EDMLoss())
          .setDevices(List.of(Device.cpu()))
          .setRoot(m)
          .setSnapshotWriter(
              (p, ema) ->
                  dev.cdm.model.io.NetworkLoader.save(PrecondNetworks.precond(ema), p, Map.of()))
          .setLog(lines::add)
          .build()
          .run();
      TrainingState ours =
          TrainingState.load(tmp.resolve("run/training-state-000000.safetensors"), m);
      assertEquals(2, ours.adamStep());

      // The reference's files for kimg 12: Adam state keyed by parameter index, step as a tensor.
      Path dir = Files.createDirectories(tmp.resolve("ref"));
      List<String> names = new ArrayList<>(ours.net().keySet());
      Map<Long, Object> perParam = new LinkedHashMap<>();
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("step", View.of(TensorData.ofFloats(new long[] {}, new float[] {ours.adamStep()})));
        st.put("exp_avg", View.of(TensorData.fromNDArray(ours.expAvg().get(names.get(i)))));
        st.put("exp_avg_sq", View.of(TensorData.fromNDArray(ours.expAvgSq().get(names.get(i)))));
        perParam.put((long) i, st);
        ids.add((long) i);
      }
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("lr", 2e-3);
      group.put("betas", PyTuple.of(0.9, 0.999));
      group.put("eps", 1e-8);
      group.put("params", ids);
      Map<String, Object> optimizer = new LinkedHashMap<>();
      optimizer.put("state", perParam);
      optimizer.put("param_groups", List.of(group));
      try (OutputStream out = Files.newOutputStream(dir.resolve("training-state-000012.pt"))) {
        SyntheticCheckpoint.write(
            out,
            Layout.TORCH_ZIP,
            "net",
            "EDMPrecond",
            Map.of(),
            views(ours.net()),
            Map.of("optimizer_state", optimizer));
      }
      Path pt = dir.resolve("training-state-000012.pt");
      IOException noEma =
          assertThrows(IOException.class, () -> TrainingState.loadReference(pt, 4, 99, m));
      assertTrue(noEma.getMessage().contains("network-snapshot-000012.pkl"), noEma.getMessage());
      try (OutputStream out = Files.newOutputStream(dir.resolve("network-snapshot-000012.pkl"))) {
        SyntheticCheckpoint.write(
            out, Layout.REFERENCE_PKL, "EDMPrecond", Map.of(), views(ours.ema()));
      }

      TrainingState back = TrainingState.loadReference(pt, 4, 99, m);
      assertEquals(12000, back.curNimg());
      assertEquals(3, back.curTick(), "kimg 12 // kimg_per_tick 4");
      assertEquals(2, back.adamStep());
      assertEquals(99, back.seed());
      assertEquals(names, new ArrayList<>(back.net().keySet()));
      for (String k : names) {
        assertArrayEquals(
            ours.net().get(k).toFloatArray(), back.net().get(k).toFloatArray(), 0f, "net " + k);
        assertArrayEquals(
            ours.ema().get(k).toFloatArray(), back.ema().get(k).toFloatArray(), 0f, "ema " + k);
        assertArrayEquals(
            ours.expAvg().get(k).toFloatArray(), back.expAvg().get(k).toFloatArray(), 0f, "m " + k);
        assertArrayEquals(
            ours.expAvgSq().get(k).toFloatArray(),
            back.expAvgSq().get(k).toFloatArray(),
            0f,
            "v " + k);
      }
      // The weights differ from the EMA (not a vacuous comparison of one map with itself).
      String k0 = names.get(0);
      assertTrue(
          !java.util.Arrays.equals(
              back.net().get(k0).toFloatArray(), back.ema().get(k0).toFloatArray()));

      // A training loop takes it: net, EMA and Adam restored, progress at 12 kimg.
      TrainingOptions more =
          TrainingLoopTest.opts(tmp.resolve("resumed")).seed(99).totalKimg(12.008).build();
      Files.createDirectories(more.runDir());
      TrainingLoop resumed =
          TrainingLoop.builder()
              .setOptions(more)
              .setData(data)
              .setNetworkFactory(TrainingLoopTest.tinyFactory(data, false))
              .setLoss(new EDMLoss())
              .setDevices(List.of(Device.cpu()))
              .setRoot(m)
              .setResume(back)
              .setSnapshotWriter(
                  (p, ema) ->
                      dev.cdm.model.io.NetworkLoader.save(
                          PrecondNetworks.precond(ema), p, Map.of()))
              .setLog(lines::add)
              .build();
      assertEquals(12000, resumed.curNimg());
      assertArrayEquals(
          ours.ema().get(k0).toFloatArray(), resumed.ema().parameters().get(k0).toFloatArray(), 0f);
    }
  }
}
