package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.SyntheticCheckpoint.Layout;
import dev.cdm.model.io.SyntheticCheckpoint.View;
import dev.cdm.model.io.pickle.PickleException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Layouts the fixtures do not contain: strided views, storage offsets, other dtypes, torch.save
 * files.
 */
class TorchLayoutsTest {
  private static TensorData storage(TensorDType t, int numel) {
    ByteBuffer b = ByteBuffer.allocate(numel * t.elementSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < numel; i++) {
      switch (t) {
        case FLOAT32:
          b.putFloat(i * 0.5f - 3);
          break;
        case FLOAT64:
          b.putDouble(i * 0.25 - 1);
          break;
        case FLOAT16:
          b.putShort((short) (0x3c00 + i));
          break; // 1.0 + i * 2^-10
        case BFLOAT16:
          b.putShort((short) (0x3f80 + i));
          break; // 1.0 + i * 2^-7
        case INT64:
          b.putLong(i * 1000L - 5);
          break;
        case BOOL:
          b.put((byte) (i % 3 == 0 ? 1 : 0));
          break;
        case UINT8:
          b.put((byte) (200 + i));
          break;
        default:
          throw new IllegalArgumentException(t.toString());
      }
    }
    b.flip();
    return TensorData.of(new long[] {numel}, t, b);
  }

  /** Expected value at (i, j) of a 2-D view, computed from the storage values directly. */
  private static float at(float[] storage, View v, int i, int j) {
    return storage[(int) (v.offset() + i * v.stride()[0] + j * v.stride()[1])];
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void stridedViewsOffsetsAndDtypesReadBack(Layout layout) throws Exception {
    Map<String, View> params = new LinkedHashMap<>();
    TensorData s12 = storage(TensorDType.FLOAT32, 12);
    params.put("contiguous", new View(s12, 0, new long[] {3, 4}, new long[] {4, 1}));
    params.put("transposed", new View(s12, 0, new long[] {4, 3}, new long[] {1, 4}));
    params.put(
        "offset_slice",
        new View(storage(TensorDType.FLOAT32, 20), 5, new long[] {2, 3}, new long[] {6, 2}));
    params.put(
        "half", new View(storage(TensorDType.FLOAT16, 6), 0, new long[] {2, 3}, new long[] {3, 1}));
    params.put(
        "bf16",
        new View(storage(TensorDType.BFLOAT16, 6), 0, new long[] {3, 2}, new long[] {1, 3}));
    params.put(
        "double",
        new View(storage(TensorDType.FLOAT64, 8), 2, new long[] {2, 3}, new long[] {3, 1}));
    params.put(
        "long", new View(storage(TensorDType.INT64, 6), 0, new long[] {2, 3}, new long[] {1, 2}));
    params.put(
        "flags", new View(storage(TensorDType.BOOL, 6), 0, new long[] {2, 3}, new long[] {3, 1}));
    params.put(
        "bytes", new View(storage(TensorDType.UINT8, 4), 0, new long[] {2, 2}, new long[] {2, 1}));
    params.put("broadcast", new View(s12, 1, new long[] {2, 3}, new long[] {0, 1}));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SyntheticCheckpoint.write(
        out,
        layout,
        "EDMPrecond",
        Map.of("img_resolution", 32L, "channel_mult", List.of(1L, 2L)),
        params);
    ReferenceCheckpoint c =
        ReferenceCheckpoint.read(new ByteArrayInputStream(out.toByteArray()), layout.toString());
    PersistentObject ema = c.ema();
    assertEquals("EDMPrecond", ema.className());
    assertEquals(32L, ema.initKwargs().get("img_resolution"));
    assertEquals(List.of(1L, 2L), ema.initKwargs().get("channel_mult"));
    Map<String, TensorData> sd = ema.stateDict();
    assertEquals(
        params.keySet().stream().map(k -> "model." + k).toList(), List.copyOf(sd.keySet()));
    for (Map.Entry<String, View> e : params.entrySet()) {
      View v = e.getValue();
      TensorData t = sd.get("model." + e.getKey());
      assertEquals(v.storage().dtype(), t.dtype(), e.getKey());
      assertArrayEquals(v.size(), t.shape(), e.getKey());
      float[] st = v.storage().toFloatArray();
      float[] got = t.toFloatArray();
      for (int i = 0; i < v.size()[0]; i++) {
        for (int j = 0; j < v.size()[1]; j++) {
          assertEquals(
              at(st, v, i, j), got[(int) (i * v.size()[1] + j)], e.getKey() + " at " + i + "," + j);
        }
      }
    }
    assertEquals(1.0f + 4 * 0x1p-10f, sd.get("model.half").toFloatArray()[4]);
    assertEquals(
        1.0f + 0x1p-7f,
        sd.get("model.bf16").toFloatArray()[2],
        "bf16 transposed: (1,0) is storage[1]");
  }

  /**
   * training-state-*.pt: torch.save(dict(net=net, optimizer_state=optimizer.state_dict())), zip
   * format.
   */
  @ParameterizedTest
  @EnumSource(
      value = Layout.class,
      names = {"TORCH_ZIP", "TORCH_LEGACY"})
  void readsTrainingStateWithOptimizerState(Layout layout) throws Exception {
    TensorData w = storage(TensorDType.FLOAT32, 6);
    Map<String, Object> adam = new LinkedHashMap<>();
    adam.put("step", View.of(TensorData.ofFloats(new long[] {}, new float[] {200f})));
    adam.put("exp_avg", View.of(storage(TensorDType.FLOAT32, 6)));
    adam.put("exp_avg_sq", View.of(storage(TensorDType.FLOAT32, 6)));
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("lr", 1e-3);
    group.put("betas", dev.cdm.model.io.pickle.PyTuple.of(0.9, 0.999));
    group.put("eps", 1e-8);
    group.put("params", List.of(0L));
    Map<String, Object> opt = new LinkedHashMap<>();
    opt.put("state", Map.of(0L, adam));
    opt.put("param_groups", List.of(group));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SyntheticCheckpoint.write(
        out,
        layout,
        "net",
        "EDMPrecond",
        Map.of("img_resolution", 32L),
        Map.of("w", new View(w, 0, new long[] {2, 3}, new long[] {3, 1})),
        Map.of("optimizer_state", opt));
    ReferenceCheckpoint c =
        ReferenceCheckpoint.read(new ByteArrayInputStream(out.toByteArray()), "training-state.pt");
    assertTrue(c.net().isPresent());
    assertEquals("EDMPrecond", c.network().className());
    assertTrue(c.lossFn().isEmpty());
    Map<?, ?> state =
        (Map<?, ?>) ((Map<?, ?>) c.optimizerState().orElseThrow().get("state")).get(0L);
    assertEquals(200f, ((TensorData) state.get("step")).toFloatArray()[0]);
    assertArrayEquals(new long[] {}, ((TensorData) state.get("step")).shape());
    assertArrayEquals(
        storage(TensorDType.FLOAT32, 6).toFloatArray(),
        ((TensorData) state.get("exp_avg")).toFloatArray());
    Map<?, ?> g =
        (Map<?, ?>) ((List<?>) c.optimizerState().orElseThrow().get("param_groups")).get(0);
    assertEquals(List.of(0.9, 0.999), g.get("betas"));
    assertEquals(1e-3, g.get("lr"));
  }

  @ParameterizedTest
  @EnumSource(
      value = TensorDType.class,
      names = {"FLOAT32", "FLOAT64", "FLOAT16", "BFLOAT16", "INT64", "BOOL", "UINT8"})
  void everyDtypeBecomesAnNDArrayWithItsValues(TensorDType t) {
    TensorData d = storage(t, 6);
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      ai.djl.ndarray.NDArray a = d.toNDArray(m);
      assertArrayEquals(new long[] {6}, a.getShape().getShape());
      if (t == TensorDType.BFLOAT16) {
        assertEquals(
            ai.djl.ndarray.types.DataType.FLOAT32, a.getDataType(), "bf16 widened exactly");
        assertArrayEquals(d.toFloatArray(), a.toFloatArray());
      } else {
        assertEquals(t.djlType(), a.getDataType());
        assertTrue(TensorData.fromNDArray(a).contentEquals(d), t.toString());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void viewsReachingPastTheirStorageAreRefused(Layout layout) throws Exception {
    Map<String, View> params =
        Map.of(
            "bad",
            new View(storage(TensorDType.FLOAT32, 6), 2, new long[] {2, 3}, new long[] {3, 1}));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SyntheticCheckpoint.write(out, layout, "EDMPrecond", Map.of(), params);
    PickleException e =
        assertThrows(
            PickleException.class,
            () ->
                ReferenceCheckpoint.read(
                    new ByteArrayInputStream(out.toByteArray()), "bad-" + layout));
    assertTrue(
        e.getMessage().contains("bad-" + layout) && e.getMessage().contains("reaches element 7"),
        e.getMessage());
  }
}
