package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pickles of numpy arrays written by Python 3 / numpy 2 read through the safe pickle machine. */
class NumpyPickleTest {
  /**
   * {@code pickle.dumps({'data': np.arange(12, dtype=np.uint8).reshape(2, 6), 'labels': [1, 2],
   * 'mu': np.array([1.5, -2.0])}, protocol=P)} for P = 2 (bytes spelled through {@code
   * _codecs.encode}) and P = 4.
   */
  private static final String PROTOCOL_2 =
      "gAJ9cQAoWAQAAABkYXRhcQFjbnVtcHkuX2NvcmUubXVsdGlhcnJheQpfcmVjb25zdHJ1Y3QKcQJjbnVt"
          + "cHkKbmRhcnJheQpxA0sAhXEEY19jb2RlY3MKZW5jb2RlCnEFWAEAAABicQZYBgAAAGxhdGluMXEHhnEI"
          + "UnEJh3EKUnELKEsBSwJLBoZxDGNudW1weQpkdHlwZQpxDVgCAAAAdTFxDomIh3EPUnEQKEsDWAEAAAB8"
          + "cRFOTk5K/////0r/////SwB0cRJiiWgFWAwAAAAAAQIDBAUGBwgJCgtxE2gHhnEUUnEVdHEWYlgGAAAA"
          + "bGFiZWxzcRddcRgoSwFLAmVYAgAAAG11cRloAmgDSwCFcRpoCYdxG1JxHChLAUsChXEdaA1YAgAAAGY4"
          + "cR6JiIdxH1JxIChLA1gBAAAAPHEhTk5OSv////9K/////0sAdHEiYoloBVgSAAAAAAAAAAAAw7g/AAAA"
          + "AAAAAMOAcSNoB4ZxJFJxJXRxJmJ1Lg==";

  private static final String PROTOCOL_4 =
      "gASVCgEAAAAAAAB9lCiMBGRhdGGUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0"
          + "lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksGhpRoBYwFZHR5cGWUk5SMAnUx"
          + "lImIh5RSlChLA4wBfJROTk5K/////0r/////SwB0lGKJQwwAAQIDBAUGBwgJCguUdJRijAZsYWJlbHOU"
          + "XZQoSwFLAmWMAm11lGgEaAdLAIWUaAmHlFKUKEsBSwKFlGgOjAJmOJSJiIeUUpQoSwOMATyUTk5OSv//"
          + "//9K/////0sAdJRiiUMQAAAAAAAA+D8AAAAAAAAAwJR0lGJ1Lg==";

  /**
   * {@code pickle.dumps({'data': np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3))},
   * protocol=2)}.
   */
  private static final String FORTRAN =
      "gAJ9cQBYBAAAAGRhdGFxAWNudW1weS5fY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAmNudW1w"
          + "eQpuZGFycmF5CnEDSwCFcQRjX2NvZGVjcwplbmNvZGUKcQVYAQAAAGJxBlgGAAAAbGF0aW4xcQeGcQhS"
          + "cQmHcQpScQsoSwFLAksDhnEMY251bXB5CmR0eXBlCnENWAIAAAB1MXEOiYiHcQ9ScRAoSwNYAQAAAHxx"
          + "EU5OTkr/////Sv////9LAHRxEmKIaAVYBgAAAAADAQQCBXETaAeGcRRScRV0cRZicy4=";

  @ParameterizedTest
  @ValueSource(ints = {2, 4})
  void readsArraysListsAndStrings(int protocol) throws IOException {
    byte[] bytes = Base64.getDecoder().decode(protocol == 2 ? PROTOCOL_2 : PROTOCOL_4);
    Map<?, ?> d = (Map<?, ?>) NumpyPickle.load(bytes, "p.pkl");
    NpyArray data = (NpyArray) d.get("data");
    assertEquals("|u1", data.dtype());
    assertArrayEquals(new long[] {2, 6}, data.shape());
    assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, data.toUint8());
    assertEquals(List.of(1L, 2L), d.get("labels"));
    NpyArray mu = (NpyArray) d.get("mu");
    assertEquals("<f8", mu.dtype());
    assertArrayEquals(new double[] {1.5, -2.0}, mu.toDoubles(), 0.0);
  }

  @Test
  void refusesOtherGlobalsByName() {
    byte[] evil = "cos\nsystem\n(S'echo hi'\ntR.".getBytes(StandardCharsets.ISO_8859_1);
    IOException e = assertThrows(IOException.class, () -> NumpyPickle.load(evil, "batch.pkl"));
    assertTrue(
        e.getMessage().contains("batch.pkl") && e.getMessage().contains("os.system"),
        e.getMessage());
  }

  @Test
  void refusesFortranOrderNamingTheInput() {
    byte[] bytes = Base64.getDecoder().decode(FORTRAN);
    IOException e = assertThrows(IOException.class, () -> NumpyPickle.load(bytes, "f.pkl"));
    assertTrue(
        e.getMessage().contains("f.pkl") && e.getMessage().contains("Fortran"), e.getMessage());
  }

  @Test
  void truncatedPickleIsAnErrorNotACrash() {
    byte[] bytes = Base64.getDecoder().decode(PROTOCOL_2);
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
    IOException e = assertThrows(IOException.class, () -> NumpyPickle.load(cut, "cut.pkl"));
    assertTrue(e.getMessage().contains("cut.pkl"), e.getMessage());
  }
}
