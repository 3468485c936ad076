package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** torch's Module.state_dict() rules on a hand-built module tree. */
class StateDictTest {
  private static TensorData t(float v) {
    return TensorData.ofFloats(new long[] {1}, new float[] {v});
  }

  private static PickledObject module(
      String cls,
      Map<String, Object> params,
      Map<String, Object> buffers,
      Set<String> nonPersistent,
      Map<String, Object> modules)
      throws Exception {
    PickledObject m = new PickledObject("torch.nn.modules.container", cls);
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("training", false);
    state.put("_parameters", params);
    state.put("_buffers", buffers);
    state.put("_non_persistent_buffers_set", new LinkedHashSet<>(nonPersistent));
    state.put("_modules", modules);
    state.put("plain", 3L);
    m.build(state);
    return m;
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void paramsThenPersistentBuffersThenSubmodulesSkippingNone() throws Exception {
    PickledObject leaf =
        module(
            "Conv2d",
            ordered("weight", t(1), "bias", null),
            ordered("resample_filter", t(2), "cache", t(3)),
            Set.of("cache"),
            ordered());
    PickledObject inner =
        module(
            "ModuleDict",
            ordered(),
            ordered(),
            Set.of(),
            ordered("b_conv", leaf, "skip", null, "a_conv", leaf));
    PickledObject root =
        module(
            "EDMPrecond",
            ordered("scale", t(4)),
            ordered("u", t(5)),
            Set.of(),
            ordered("model", inner));
    assertEquals(
        List.of(
            "scale",
            "u",
            "model.b_conv.weight",
            "model.b_conv.resample_filter",
            "model.a_conv.weight",
            "model.a_conv.resample_filter"),
        List.copyOf(root.stateDict().keySet()));
    // parameters() deduplicates: scale + the shared leaf's weight, not its second registration.
    assertEquals(2, root.parameterCount());
    assertEquals(Map.of("plain", 3L), root.attributes());
    assertEquals(Set.of("cache"), leaf.nonPersistentBuffers());
  }
}
