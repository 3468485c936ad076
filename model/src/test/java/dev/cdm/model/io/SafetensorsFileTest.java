package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path tmp;

  private static TensorData bytes(TensorDType t, long[] shape, int seed) {
    long n = TensorData.numel(shape) * t.elementSize();
    ByteBuffer b = ByteBuffer.allocate((int) n);
    for (int i = 0; i < n; i++) {
      b.put((byte) (i * 31 + seed));
    }
    b.flip();
    return TensorData.of(shape, t, b);
  }

  @Test
  void everyDtypeAndShapeRoundTripsBitForBit() throws Exception {
    Map<String, TensorData> in = new LinkedHashMap<>();
    int seed = 0;
    for (TensorDType t : TensorDType.values()) {
      in.put("z." + t.name().toLowerCase() + ".w", bytes(t, new long[] {3, 5}, seed++));
    }
    in.put("scalar", bytes(TensorDType.FLOAT64, new long[] {}, 7));
    in.put("empty", bytes(TensorDType.FLOAT32, new long[] {0, 4}, 0));
    in.put("a.first.after.empty", bytes(TensorDType.INT64, new long[] {2}, 9));
    Path f = tmp.resolve("all.safetensors");
    SafetensorsFile.write(f, in, Map.of("k", "v é"));
    SafetensorsFile out = SafetensorsFile.read(f);
    assertEquals(List.copyOf(in.keySet()), List.copyOf(out.tensors().keySet()), "order kept");
    in.forEach((k, t) -> assertTrue(t.contentEquals(out.tensors().get(k)), k));
    assertEquals(Map.of("k", "v é"), out.metadata());
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(f), s.toList(), "no temporary file left behind");
    }
  }

  /** The layout follows the public spec: checked here by decoding the bytes by hand. */
  @Test
  void writesTheOpenLayout() throws Exception {
    Path f = tmp.resolve("one.safetensors");
    SafetensorsFile.write(
        f, Map.of("w", TensorData.ofFloats(new long[] {2}, new float[] {1.5f, -2f})), Map.of());
    byte[] all = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertEquals(0, (8 + n) % 8, "data section 8-byte aligned");
    String header = new String(all, 8, (int) n, StandardCharsets.UTF_8).trim();
    assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
    assertEquals(1.5f, b.getFloat((int) (8 + n)));
    assertEquals(-2f, b.getFloat((int) (8 + n + 4)));
  }

  /** A file as Python's safetensors writes it (header built by hand here) is read. */
  @Test
  void readsAHandBuiltFile() throws Exception {
    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]},"
            + "\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}";
    Path f =
        write(
            "hand.safetensors",
            header,
            new byte[] {0, 0x3c, 0, (byte) 0xc0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0});
    SafetensorsFile s = SafetensorsFile.read(f);
    assertArrayEquals(new float[] {1f, -2f, 0f, 0f}, s.tensors().get("a").toFloatArray());
    assertEquals(42f, s.tensors().get("b").toFloatArray()[0]);
    assertEquals("pt", s.metadata().get("format"));
  }

  private Path write(String name, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path f = tmp.resolve(name);
    Files.write(f, b.array());
    return f;
  }

  private void assertRefused(String header, byte[] data, String expected) throws IOException {
    Path f = write("bad.safetensors", header, data);
    IOException e = assertThrows(IOException.class, () -> SafetensorsFile.read(f), header);
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void corruptHeadersAreRefusedNamingTheFile() throws Exception {
    byte[] eight = new byte[8];
    assertRefused(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}",
        eight,
        "outside the data section");
    assertRefused(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight, "need 12");
    assertRefused(
        "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}",
        eight,
        "unsupported dtype F8_E4M3");
    assertRefused(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        eight,
        "negative dimension");
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight, "data_offsets");
    assertRefused(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        eight,
        "gap or overlap");
    assertRefused(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight, "cover 4 bytes");
    assertRefused("{\"a\": nonsense", eight, "not valid JSON");
    assertRefused("[1,2]", eight, "does not start with '{'");
    assertRefused("{\"__metadata__\":{\"x\":1}}", new byte[0], "not a string");

    Path shortLen = tmp.resolve("short.safetensors");
    Files.write(shortLen, new byte[] {1, 2, 3});
    assertTrue(
        assertThrows(IOException.class, () -> SafetensorsFile.read(shortLen))
            .getMessage()
            .contains("short.safetensors"));
    Path hugeLen = tmp.resolve("huge.safetensors");
    Files.write(
        hugeLen, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0, 0, 0, 0, '{', '}'});
    assertTrue(
        assertThrows(IOException.class, () -> SafetensorsFile.read(hugeLen))
            .getMessage()
            .contains("header length"));
  }

  @Test
  void truncatedFileIsRefused() throws Exception {
    Path f = tmp.resolve("t.safetensors");
    SafetensorsFile.write(
        f, Map.of("w", TensorData.ofFloats(new long[] {4}, new float[] {1, 2, 3, 4})), Map.of());
    byte[] all = Files.readAllBytes(f);
    for (int cut : new int[] {4, 12, all.length - 20, all.length - 1}) {
      Files.write(f, java.util.Arrays.copyOf(all, cut));
      IOException e = assertThrows(IOException.class, () -> SafetensorsFile.read(f), "cut " + cut);
      assertTrue(e.getMessage().contains("invalid safetensors file " + f), e.getMessage());
    }
  }

  @Test
  void failedWriteLeavesNothingBehind() throws Exception {
    Path f = tmp.resolve("x.safetensors");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SafetensorsFile.write(
                f,
                Map.of("__metadata__", TensorData.ofFloats(new long[] {1}, new float[] {1})),
                Map.of()));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void mappedTensorsConvertToNDArrays() throws Exception {
    Path f = tmp.resolve("nd.safetensors");
    SafetensorsFile.write(
        f, Map.of("w", TensorData.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4})), Map.of());
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      ai.djl.ndarray.NDArray a = SafetensorsFile.read(f).tensors().get("w").toNDArray(m);
      assertArrayEquals(new float[] {1, 2, 3, 4}, a.toFloatArray());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
