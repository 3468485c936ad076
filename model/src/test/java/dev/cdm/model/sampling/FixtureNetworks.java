package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.PersistentObject;
import dev.cdm.model.io.ReferenceCheckpoint;
import dev.cdm.model.io.TensorData;
import dev.cdm.model.precond.Precond;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a fixture network ({@code /fixtures/<name>.pkl}) for sampler tests: the reference
 * checkpoint's {@code ema}, rebuilt from its constructor arguments and state dict.
 */
final class FixtureNetworks {
  private static final List<String> POSITIONAL =
      List.of("img_resolution", "img_channels", "label_dim", "use_fp16");

  private FixtureNetworks() {}

  static Precond load(String name, NDManager manager) throws Exception {
    String res = "/fixtures/" + name + ".pkl";
    try (InputStream in = FixtureNetworks.class.getResourceAsStream(res)) {
      PersistentObject net = ReferenceCheckpoint.read(in, res).network();
      Map<String, Object> kw = new LinkedHashMap<>();
      List<Object> args = net.initArgs();
      for (int i = 0; i < args.size(); i++) {
        kw.put(POSITIONAL.get(i), args.get(i));
      }
      kw.putAll(net.initKwargs());
      Precond p = Precond.create(net.className(), kw, manager);
      try (NDManager tmp = manager.newSubManager()) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : net.stateDict().entrySet()) {
          state.put(e.getKey(), e.getValue().toNDArray(tmp));
        }
        p.loadStateDict(state);
      }
      return p;
    }
  }
}
