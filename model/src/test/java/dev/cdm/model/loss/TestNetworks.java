package dev.cdm.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.PersistentObject;
import dev.cdm.model.io.ReferenceCheckpoint;
import dev.cdm.model.io.TensorData;
import dev.cdm.model.precond.Precond;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loads the fixture networks (reference .pkl) as Precond. */
final class TestNetworks {
  private TestNetworks() {}

  static Precond load(String name, NDManager manager) throws Exception {
    Path pkl = Path.of(TestNetworks.class.getResource("/fixtures/" + name + ".pkl").toURI());
    PersistentObject net = ReferenceCheckpoint.read(pkl).ema();
    Map<String, Object> kwargs = new LinkedHashMap<>();
    List<String> positional = List.of("img_resolution", "img_channels", "label_dim", "use_fp16");
    List<Object> args = net.initArgs();
    for (int i = 0; i < args.size(); i++) {
      kwargs.put(positional.get(i), args.get(i));
    }
    kwargs.putAll(net.initKwargs());
    Precond p = Precond.create(net.className(), kwargs, manager);
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> state = new LinkedHashMap<>();
      for (Map.Entry<String, TensorData> e : net.stateDict().entrySet()) {
        state.put(e.getKey(), e.getValue().toNDArray(tmp));
      }
      p.loadStateDict(state);
    }
    p.setTraining(false);
    return p;
  }
}
