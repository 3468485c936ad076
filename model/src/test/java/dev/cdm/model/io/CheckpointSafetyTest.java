package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.pickle.PickleException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and damaged inputs: refused with an error that names the file; nothing from the file
 * runs.
 */
class CheckpointSafetyTest {
  @TempDir Path tmp;

  /**
   * Protocol 0: {@code c<module>\n<name>\n(S'<arg>'\ntR.} — what a malicious pickle usually looks
   * like.
   */
  private static byte[] protocol0Call(String module, String name, String arg) {
    return ("c" + module + "\n" + name + "\n(S'" + arg + "'\ntR.")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Protocol 4: SHORT_BINUNICODE module, name, STACK_GLOBAL, arg, TUPLE1, REDUCE, STOP. */
  private static byte[] protocol4Call(String module, String name, String arg) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x80);
    b.write(4);
    shortUnicode(b, module);
    shortUnicode(b, name);
    b.write(0x93);
    shortUnicode(b, arg);
    b.write(0x85);
    b.write('R');
    b.write('.');
    return b.toByteArray();
  }

  private static void shortUnicode(ByteArrayOutputStream b, String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    b.write(0x8c);
    b.write(u.length);
    b.write(u, 0, u.length);
  }

  private PickleException refuse(byte[] pickle, String fileName) throws Exception {
    Path f = tmp.resolve(fileName);
    Files.write(f, pickle);
    return assertThrows(PickleException.class, () -> ReferenceCheckpoint.read(f));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "os.system",
        "posix.system",
        "builtins.eval",
        "builtins.exec",
        "subprocess.Popen",
        "builtins.getattr",
        "torch.load",
        "numpy.load",
        "torch_utils.persistence._src_to_module",
        "nt.system"
      })
  void refusesEveryGlobalOffTheAllowList(String global) throws Exception {
    int dot = global.lastIndexOf('.');
    String module = global.substring(0, dot);
    String name = global.substring(dot + 1);
    Path marker = tmp.resolve("pwned");
    String command = "touch " + marker;
    for (byte[] pickle :
        new byte[][] {protocol0Call(module, name, command), protocol4Call(module, name, command)}) {
      PickleException e = refuse(pickle, "network-snapshot.pkl");
      assertTrue(e.getMessage().contains("refusing global " + global), e.getMessage());
      assertTrue(e.getMessage().contains("network-snapshot.pkl"), e.getMessage());
    }
    assertFalse(Files.exists(marker), "nothing from the file may run");
  }

  @Test
  void allowListHoldsOnlyDataBuildingNames() {
    java.util.Set<String> allowed = ReferenceCheckpoint.allowedGlobals();
    assertTrue(allowed.contains("torch_utils.persistence._reconstruct_persistent_obj"));
    assertTrue(allowed.contains("torch._utils._rebuild_tensor_v2"));
    assertTrue(allowed.contains("torch.storage._load_from_bytes"));
    for (String g : allowed) {
      assertTrue(
          g.startsWith("torch")
              || g.startsWith("numpy.")
              || g.startsWith("collections.")
              || g.startsWith("dnnlib.util.EasyDict")
              || g.startsWith("_codecs.encode")
              || g.equals("builtins.set")
              || g.equals("builtins.frozenset")
              || g.equals("builtins.bytearray"),
          g);
      assertFalse(
          g.contains("system")
              || g.contains("eval")
              || g.contains("exec")
              || g.contains("Popen")
              || g.contains("getattr")
              || g.contains("import")
              || g.endsWith(".load"),
          g);
    }
  }

  @Test
  void refusesPythonTwoSpellingOfBuiltins() throws Exception {
    PickleException e = refuse(protocol0Call("__builtin__", "eval", "1+1"), "old.pkl");
    assertTrue(e.getMessage().contains("refusing global __builtin__.eval in"), e.getMessage());
  }

  @Test
  void refusesInstAndNewObjForms() throws Exception {
    byte[] inst = "(S'id'\nios\nsystem\n.".getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(refuse(inst, "inst.pkl").getMessage().contains("refusing global os.system"));
    // NEWOBJ of subprocess.Popen: \x80\x02 c subprocess\nPopen\n (S'ls'\n t \x81 .
    byte[] newobj =
        ("\u0080\u0002csubprocess\nPopen\n(S'ls'\nt\u0081.").getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(
        refuse(newobj, "newobj.pkl").getMessage().contains("refusing global subprocess.Popen"));
  }

  /** A hostile global hidden inside a storage's nested torch.save stream is refused as well. */
  @Test
  void refusesGlobalsInsideNestedStorageStreams() throws Exception {
    byte[] nested = protocol0Call("os", "system", "echo pwned");
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x80);
    b.write(4);
    shortUnicode(b, "torch.storage");
    shortUnicode(b, "_load_from_bytes");
    b.write(0x93);
    b.write('B');
    b.write(nested.length);
    b.write(0);
    b.write(0);
    b.write(0);
    b.write(nested, 0, nested.length);
    b.write(0x85);
    b.write('R');
    b.write('.');
    PickleException e = refuse(b.toByteArray(), "nested.pkl");
    assertTrue(e.getMessage().contains("nested.pkl"), e.getMessage());
  }

  @Test
  void refusesTheExtensionRegistryAndOutOfBandBuffers() throws Exception {
    assertTrue(
        refuse(new byte[] {(byte) 0x80, 2, (byte) 0x82, 1, '.'}, "ext.pkl")
            .getMessage()
            .contains("extension registry"));
    assertTrue(
        refuse(new byte[] {(byte) 0x80, 5, (byte) 0x97, '.'}, "oob.pkl")
            .getMessage()
            .contains("NEXT_BUFFER"));
  }

  @Test
  void truncatedFixtureIsAClearError() throws Exception {
    byte[] full = Files.readAllBytes(Fixtures.pkl("ddpmpp-cdm-gray"));
    for (int cut :
        new int[] {
          0, 1, 2, 11, 100, 36000, 37000, full.length / 2, full.length - 2, full.length - 1
        }) {
      byte[] part = Arrays.copyOf(full, cut);
      Path f = tmp.resolve("cut-" + cut + ".pkl");
      Files.write(f, part);
      PickleException e =
          assertThrows(PickleException.class, () -> ReferenceCheckpoint.read(f), "cut at " + cut);
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
      if (cut > 20) {
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
      }
      // The same through a stream of unknown length.
      PickleException s =
          assertThrows(
              PickleException.class,
              () -> ReferenceCheckpoint.read(new ByteArrayInputStream(part), "stream-" + cut));
      assertTrue(s.getMessage().contains("stream-" + cut), s.getMessage());
    }
  }

  @Test
  void garbageIsAClearError() throws Exception {
    Random r = new Random(5);
    for (int i = 0; i < 200; i++) {
      byte[] g = new byte[1 + r.nextInt(4000)];
      r.nextBytes(g);
      if (i % 2 == 0) {
        g[0] = (byte) 0x80; // make it look like a pickle so the opcode machine runs on garbage
        if (g.length > 1) {
          g[1] = 4;
        }
      }
      Path f = tmp.resolve("garbage-" + i + ".pkl");
      Files.write(f, g);
      PickleException e = assertThrows(PickleException.class, () -> ReferenceCheckpoint.read(f));
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
  }

  /** Damaged bytes anywhere in a real checkpoint either still read or fail as a PickleException. */
  @Test
  void corruptedFixtureNeverLeaksOtherExceptions() throws Exception {
    byte[] full = Files.readAllBytes(Fixtures.pkl("ddpmpp-cdm-gray"));
    Random r = new Random(11);
    int failures = 0;
    for (int i = 0; i < Integer.getInteger("fuzz", 300); i++) {
      byte[] d = full.clone();
      for (int k = 0; k < 3; k++) {
        d[r.nextInt(d.length)] = (byte) r.nextInt(256);
      }
      try {
        ReferenceCheckpoint.read(new ByteArrayInputStream(d), "damaged-" + i);
      } catch (PickleException e) {
        failures++;
        assertTrue(e.getMessage().contains("damaged-" + i), e.getMessage());
      }
    }
    assertTrue(failures > 0, "some damage must be detected");
  }

  @Test
  void wrongTopLevelObjectIsAClearError() throws Exception {
    PickleException e = refuse(new byte[] {(byte) 0x80, 4, 'K', 7, '.'}, "int.pkl");
    assertTrue(e.getMessage().contains("int.pkl holds a Long"), e.getMessage());
    IllegalArgumentException m =
        assertThrows(
            IllegalArgumentException.class,
            () -> {
              Path f = tmp.resolve("empty-dict.pkl");
              Files.write(f, new byte[] {(byte) 0x80, 4, '}', '.'});
              ReferenceCheckpoint.read(f).ema();
            });
    assertTrue(m.getMessage().contains("empty-dict.pkl has no 'ema'"), m.getMessage());
    assertEquals(
        0,
        ReferenceCheckpoint.read(
                new ByteArrayInputStream(new byte[] {(byte) 0x80, 4, '}', '.'}), "x")
            .entries()
            .size());
  }
}
