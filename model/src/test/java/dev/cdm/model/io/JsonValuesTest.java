package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonValuesTest {
  @Test
  void readsWhatPythonJsonWrites() {
    // json.dumps(dict(a=1e-05, b=float('inf'), c=[1, 2.0], d=None, e='\u00e9', f=-float('inf'),
    // g=100000000.0))
    Object v =
        JsonValues.parse(
            "{\"a\": 1e-05, \"b\": Infinity, \"c\": [1, 2.0], \"d\": null, \"e\": \"\\u00e9\", "
                + "\"f\": -Infinity, \"g\": 100000000.0}");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(1e-5, m.get("a"));
    assertEquals(Double.POSITIVE_INFINITY, m.get("b"));
    assertEquals(List.of(1L, 2.0), m.get("c"));
    assertTrue(m.containsKey("d"));
    assertEquals("é", m.get("e"));
    assertEquals(Double.NEGATIVE_INFINITY, m.get("f"));
    assertEquals(1e8, m.get("g"));
  }

  @Test
  void writesAndReadsBack() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("s", "q\"\\\n\u0001");
    m.put("n", Double.NaN);
    m.put("big", new java.math.BigInteger("123456789012345678901234567890"));
    m.put("l", -5L);
    Object back = JsonValues.parse(JsonValues.write(m));
    assertEquals(m, back);
  }

  @Test
  void badJsonSaysWhere() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JsonValues.parse("{\"a\": [1, }"));
    assertTrue(e.getMessage().contains("at character"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JsonValues.write(Map.of("x", new Object())));
  }
}
