package dev.cdm.model.io;

import dev.cdm.model.io.pickle.PersistentLoader;
import dev.cdm.model.io.pickle.PickleException;
import dev.cdm.model.io.pickle.PyTuple;
import dev.cdm.model.io.pickle.SafeUnpickler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads {@code torch.save} streams without torch: the legacy format (a magic-number pickle, the
 * protocol version, sys info, the object pickled with storage persistent ids, the storage key list,
 * then each storage as an 8-byte element count and raw bytes) and the zip format ({@code
 * archive/data.pkl} plus {@code archive/data/<key>}). The reference's pickles embed one legacy
 * stream per storage through {@code torch.storage._load_from_bytes}.
 */
final class TorchSerialization {
  static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
  static final long PROTOCOL_VERSION = 1001;

  private TorchSerialization() {}

  /** True if the bytes start like a zip archive ({@code torch.save} since torch 1.6). */
  static boolean isZip(byte[] head) {
    return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
  }

  /**
   * True if the bytes start with the pickled magic number of the legacy {@code torch.save} format.
   */
  static boolean isLegacy(byte[] head) {
    // PROTO 2, LONG1 of 10 bytes: the little-endian magic number.
    if (head.length < 14 || (head[0] & 0xff) != 0x80 || (head[2] & 0xff) != 0x8a || head[3] != 10) {
      return false;
    }
    byte[] le = MAGIC_NUMBER.toByteArray(); // big-endian
    for (int i = 0; i < 10; i++) {
      if (head[4 + i] != le[le.length - 1 - i]) {
        return false;
      }
    }
    return true;
  }

  /** The object a {@code torch.save} stream (either format) holds. */
  static Object loadBytes(byte[] bytes, String name) throws PickleException {
    if (isZip(bytes)) {
      return loadZip(bytes, name);
    }
    return loadLegacy(bytes, name);
  }

  static Object loadLegacy(byte[] b, String name) throws PickleException {
    ReferenceGlobals globals = new ReferenceGlobals(name);
    int pos = 0;
    SafeUnpickler u = new SafeUnpickler(b, pos, b.length - pos, name, globals, null);
    Object magic = u.load();
    if (!MAGIC_NUMBER.equals(magic instanceof Long ? BigInteger.valueOf((Long) magic) : magic)) {
      throw new PickleException(name + " is not a torch.save stream (bad magic number)");
    }
    pos += (int) u.position();
    u = new SafeUnpickler(b, pos, b.length - pos, name, globals, null);
    Object protocol = u.load();
    if (!Long.valueOf(PROTOCOL_VERSION).equals(protocol)) {
      throw new PickleException(
          name + " has torch.save protocol " + protocol + ", expected " + PROTOCOL_VERSION);
    }
    pos += (int) u.position();
    u = new SafeUnpickler(b, pos, b.length - pos, name, globals, null);
    Object sysInfo = u.load();
    if (sysInfo instanceof Map
        && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) {
      throw new PickleException(name + " was saved on a big-endian machine; not supported");
    }
    pos += (int) u.position();

    Map<String, TorchStorage> storages = new HashMap<>();
    PersistentLoader loader = pid -> storageFor(pid, storages, name, null);
    int mainStart = pos;
    u = new SafeUnpickler(b, pos, b.length - pos, name, globals, loader);
    Object result = u.load();
    pos += (int) u.position();
    u = new SafeUnpickler(b, pos, b.length - pos, name, globals, null);
    Object keys = u.load();
    pos += (int) u.position();
    if (!(keys instanceof List)) {
      throw new PickleException(name + ": storage key list missing");
    }
    for (Object k : (List<?>) keys) {
      TorchStorage s = storages.get(String.valueOf(k));
      if (s == null) {
        throw new PickleException(
            name + ": storage key " + k + " was not referenced by the pickle");
      }
      if (pos + 8 > b.length) {
        throw new PickleException(
            "truncated torch.save stream in " + name + ": storage " + k + " header missing");
      }
      long numel = ByteBuffer.wrap(b, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      pos += 8;
      long nbytes = numel * s.dtype().elementSize();
      if (numel < 0 || pos + nbytes > b.length) {
        throw new PickleException(
            "truncated torch.save stream in "
                + name
                + ": storage "
                + k
                + " needs "
                + nbytes
                + " bytes, "
                + (b.length - pos)
                + " left");
      }
      s.setBytes(ByteBuffer.wrap(b, pos, (int) nbytes));
      pos += (int) nbytes;
    }
    for (TorchStorage s : storages.values()) {
      if (!s.hasBytes()) {
        throw new PickleException(name + ": storage " + s.key() + " has no data");
      }
    }
    if (globals.sawPendingStorage) {
      // Tensors were rebuilt before their storage data was known: read the object pickle again.
      ReferenceGlobals again = new ReferenceGlobals(name);
      u =
          new SafeUnpickler(
              b,
              mainStart,
              b.length - mainStart,
              name,
              again,
              pid -> storageFor(pid, storages, name, null));
      result = u.load();
    }
    return result;
  }

  static Object loadZip(byte[] b, String name) throws PickleException {
    Map<String, byte[]> entries = new HashMap<>();
    String pickleEntry = null;
    try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(b))) {
      ZipEntry e;
      while ((e = zin.getNextEntry()) != null) {
        byte[] data = zin.readAllBytes();
        entries.put(e.getName(), data);
        if (e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl")) {
          pickleEntry = e.getName();
        }
      }
    } catch (IOException e) {
      throw new PickleException(
          "corrupt torch.save zip archive " + name + ": " + e.getMessage(), e);
    }
    if (pickleEntry == null) {
      throw new PickleException(
          name + " is a zip archive without data.pkl (not a torch.save file)");
    }
    String prefix = pickleEntry.substring(0, pickleEntry.length() - "data.pkl".length());
    byte[] order = entries.get(prefix + "byteorder");
    if (order != null && !new String(order, StandardCharsets.US_ASCII).trim().equals("little")) {
      throw new PickleException(name + " was saved big-endian; not supported");
    }
    Map<String, TorchStorage> storages = new HashMap<>();
    byte[] pkl = entries.get(pickleEntry);
    SafeUnpickler u =
        new SafeUnpickler(
            pkl,
            0,
            pkl.length,
            name + ":" + pickleEntry,
            new ReferenceGlobals(name),
            pid ->
                storageFor(
                    pid,
                    storages,
                    name,
                    key -> {
                      byte[] data = entries.get(prefix + "data/" + key);
                      if (data == null) {
                        throw new PickleException(
                            name + ": storage entry " + prefix + "data/" + key + " is missing");
                      }
                      return data;
                    }));
    return u.load();
  }

  interface StorageBytes {
    byte[] get(String key) throws PickleException;
  }

  /** Persistent id {@code ('storage', storage_type, key, location, numel[, view_metadata])}. */
  private static Object storageFor(
      Object pid, Map<String, TorchStorage> storages, String name, StorageBytes eager)
      throws PickleException {
    if (!(pid instanceof PyTuple)
        || ((PyTuple) pid).size() < 5
        || !"storage".equals(((PyTuple) pid).get(0))) {
      throw new PickleException(name + ": unexpected persistent id " + pid);
    }
    PyTuple t = (PyTuple) pid;
    if (!(t.get(1) instanceof ReferenceGlobals.StorageType)) {
      throw new PickleException(name + ": persistent id names storage type " + t.get(1));
    }
    if (t.size() > 5 && t.get(5) != null) {
      throw new PickleException(
          name + ": storage views (torch < 1.0 checkpoints) are not supported");
    }
    String key = String.valueOf(t.get(2));
    TorchStorage s = storages.get(key);
    if (s == null) {
      s =
          new TorchStorage(
              ((ReferenceGlobals.StorageType) t.get(1)).dtype, key, String.valueOf(t.get(3)));
      storages.put(key, s);
      if (eager != null) {
        s.setBytes(ByteBuffer.wrap(eager.get(key)));
      }
    }
    return s;
  }
}
