package dev.cdm.model.io.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Opcodes of protocols 0-5 on hand-assembled streams; expected values are what Python's
 * pickle.loads returns.
 */
class SafeUnpicklerTest {
  private static Object load(String latin1) throws PickleException {
    byte[] b = latin1.getBytes(StandardCharsets.ISO_8859_1);
    Object viaStream =
        new SafeUnpickler(new ByteArrayInputStream(b), "test.pkl", -1, (m, n) -> null, null).load();
    Object viaArray = new SafeUnpickler(b, 0, b.length, "test.pkl", (m, n) -> null, null).load();
    if (viaStream instanceof byte[]) {
      assertArrayEquals((byte[]) viaStream, (byte[]) viaArray);
    } else if (viaStream instanceof List) {
      assertEquals(viaStream.toString(), viaArray.toString()); // may contain itself: no deep equals
    } else {
      assertEquals(viaStream, viaArray);
    }
    return viaStream;
  }

  @Test
  void protocol0TextOpcodes() throws Exception {
    Object v =
        load(
            "(lp0\nI1\naI-3\naF2.5\naS'ab\\n'\naVx\\u00e9\naL12345678901234567890L\naI01\naNag0\na.");
    List<?> l = (List<?>) v;
    assertEquals(
        List.of(1L, -3L, 2.5, "ab\n", "xé", new BigInteger("12345678901234567890"), true),
        l.subList(0, 7));
    assertEquals(null, l.get(7));
    assertTrue(l.get(8) == l, "GET of the memoised list returns the list itself");
    assertEquals(Map.of("k", 1L), load("(dp0\nS'k'\np1\nI1\ns."));
  }

  @Test
  void protocol2BinaryOpcodes() throws Exception {
    assertEquals(
        Map.of("a", 1L, "b", "a"),
        load(
            "\u0080\u0002}q\u0000(X\u0001\u0000\u0000\u0000aq\u0001K\u0001X\u0001\u0000\u0000\u0000bq\u0002h\u0001u."));
    assertEquals(-1L, load("\u0080\u0002\u008a\u0001\u00ff."));
    assertEquals(0L, load("\u0080\u0002\u008a\u0000."));
    assertEquals(-32768L, load("\u0080\u0002\u008a\u0002\u0000\u0080."));
    assertEquals(65535L, load("\u0080\u0002M\u00ff\u00ff."));
    assertEquals(-2L, load("\u0080\u0002J\u00fe\u00ff\u00ff\u00ff."));
    assertEquals(0.5, load("\u0080\u0002G\u003f\u00e0\u0000\u0000\u0000\u0000\u0000\u0000."));
    assertEquals("hi", load("\u0080\u0002U\u0002hi."));
    assertEquals(
        Map.of(PyTuple.of(1L, 2L), 3L), load("\u0080\u0002}K\u0001K\u0002\u0086K\u0003s."));
    assertEquals(PyTuple.of(1L, PyTuple.EMPTY, true), load("\u0080\u0002K\u0001)\u0088\u0087."));
  }

  @Test
  void protocol4And5Opcodes() throws Exception {
    assertEquals(Set.of(1L, 2L), load("\u0080\u0004(K\u0001K\u0002\u0091."));
    assertEquals(Set.of(3L), load("\u0080\u0004\u008f(K\u0003\u0090."));
    assertArrayEquals(
        "ab".getBytes(StandardCharsets.US_ASCII),
        (byte[])
            load("\u0080\u0005\u0096\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000ab\u0098."));
    assertEquals(
        "é",
        load(
            "\u0080\u0004\u0095\u0005\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u008c\u0002\u00c3\u00a9\u0094."));
    assertEquals(1L, load("\u0080\u0002K\u0001K\u00020."), "POP");
    assertEquals(5L, load("\u0080\u0002(K\u0001K\u00021K\u0005."), "POP_MARK");
    assertEquals(PyTuple.of(7L, 7L), load("\u0080\u0002K\u00072\u0086."), "DUP");
  }

  @Test
  void malformedStreamsAreCorruptNotCrashes() {
    for (String bad :
        new String[] {
          "",
          "\u0080\u0002",
          "\u0080\u0002K",
          "\u0080\u0002u.",
          "\u0080\u0002K\u0001K\u0001.",
          "\u0080\u0002h\u0009.",
          "\u0080\u0002\u00ff.",
          "\u0080\u0009N.",
          "\u0080\u0002]K\u0001s.",
          "\u0080\u0002)K\u0001a.",
          "\u0080\u0004}]K\u0001s.",
          "\u0080\u0002K\u0001)R.",
          "\u0080\u0002X\u00ff\u00ff\u00ff\u007fab."
        }) {
      PickleException e =
          assertThrows(
              PickleException.class,
              () -> load(bad),
              Arrays.toString(bad.getBytes(StandardCharsets.ISO_8859_1)));
      assertTrue(e.getMessage().contains("test.pkl"), e.getMessage());
    }
  }
}
