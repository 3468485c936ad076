package dev.cdm.model.io.pickle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine (protocols 0 to 5) that never executes anything from the stream.
 *
 * <p>Python's {@code pickle} imports whatever module a {@code GLOBAL} names and calls it, so a
 * pickle can run arbitrary code ({@code os.system}). Here every global goes through a {@link
 * GlobalResolver} that knows an explicit allow-list of Java stand-ins that only build data; any
 * other global stops the read with an error naming it, before anything is called.
 *
 * <p>Python values map to Java as: None → {@code null}, bool → {@link Boolean}, int → {@link Long}
 * (or {@link BigInteger} when it does not fit), float → {@link Double}, str → {@link String},
 * bytes/bytearray → {@code byte[]}, tuple → {@link PyTuple}, list → {@link ArrayList}, dict →
 * {@link LinkedHashMap} (insertion order, as in Python), set/frozenset → {@link LinkedHashSet}.
 *
 * <p>Truncated or corrupt input is reported as a {@link PickleException} that names the input and
 * the byte offset; no index or cast exception escapes.
 */
public final class SafeUnpickler {
  private static final int HIGHEST_PROTOCOL = 5;

  /**
   * Reads above this size are done in chunks so that a corrupt length cannot allocate gigabytes up
   * front.
   */
  private static final int DIRECT_READ_LIMIT = 1 << 26;

  private final InputStream in;
  private final String name;
  private final GlobalResolver globals;
  private final PersistentLoader persistentLoader;
  private final long knownLength;

  private final byte[] buf;
  private int bufPos;
  private int bufLen;
  private final int base; // index in buf of the stream's first byte (array mode)
  private long consumed; // bytes consumed before buf[base]

  private ArrayList<Object> stack = new ArrayList<>();
  private final ArrayList<ArrayList<Object>> metastack = new ArrayList<>();
  private final HashMap<Integer, Object> memo = new HashMap<>();
  private long opcodeOffset;

  /**
   * @param in the stream, positioned at the first opcode; it is read up to and including STOP
   * @param name names the input in every error (a file name, or "storage in X")
   * @param knownLength the number of bytes available in {@code in}, or -1 when unknown; used to
   *     reject impossible lengths before allocating
   * @param persistentLoader resolves persistent ids, or {@code null} to refuse them
   */
  public SafeUnpickler(
      InputStream in,
      String name,
      long knownLength,
      GlobalResolver globals,
      PersistentLoader persistentLoader) {
    this.in = in;
    this.name = name;
    this.globals = globals;
    this.persistentLoader = persistentLoader;
    this.knownLength = knownLength;
    this.buf = new byte[1 << 16];
    this.base = 0;
  }

  /**
   * Reads a pickle that is already in memory ({@code data[offset, offset + length)}) without
   * copying it into a buffer: torch's nested storage streams are many small pickles inside one byte
   * array.
   */
  public SafeUnpickler(
      byte[] data,
      int offset,
      int length,
      String name,
      GlobalResolver globals,
      PersistentLoader persistentLoader) {
    this.in = null;
    this.name = name;
    this.globals = globals;
    this.persistentLoader = persistentLoader;
    this.knownLength = length;
    this.buf = data;
    this.base = offset;
    this.bufPos = offset;
    this.bufLen = offset + length;
  }

  /** The number of bytes this unpickler has consumed from its stream. */
  public long position() {
    return consumed + bufPos - base;
  }

  /** Reads one pickle (up to its STOP opcode) and returns the value it builds. */
  public Object load() throws PickleException {
    stack.clear();
    metastack.clear();
    memo.clear();
    try {
      while (true) {
        opcodeOffset = position();
        int op = readByte();
        if (op == '.') {
          if (stack.size() != 1 || !metastack.isEmpty()) {
            throw corrupt("STOP with " + stack.size() + " values on the stack");
          }
          return stack.get(0);
        }
        dispatch(op);
      }
    } catch (PickleException e) {
      if (e.getMessage() != null && e.getMessage().contains(name)) {
        throw e;
      }
      // Raised by an allow-listed stand-in that does not know the input: name it here.
      throw new PickleException(
          "corrupt pickle in " + name + " at byte " + opcodeOffset + ": " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new PickleException(
          "truncated pickle in "
              + name
              + ": unexpected end of data at byte "
              + position()
              + " (opcode at byte "
              + opcodeOffset
              + ")",
          e);
    } catch (IOException e) {
      throw new PickleException(
          "cannot read " + name + " at byte " + position() + ": " + e.getMessage(), e);
    } catch (StackOverflowError e) {
      throw new PickleException(
          "corrupt pickle in "
              + name
              + " at byte "
              + opcodeOffset
              + ": structure nested too deeply");
    } catch (RuntimeException e) {
      // Casts and indices over corrupt data: report them as corrupt input, never as a crash.
      throw new PickleException(
          "corrupt pickle in " + name + " at byte " + opcodeOffset + ": " + e, e);
    }
  }

  private void dispatch(int op) throws IOException {
    switch (op) {
      // --- framing and protocol
      case 0x80:
        { // PROTO
          int proto = readByte();
          if (proto > HIGHEST_PROTOCOL) {
            throw corrupt("unsupported pickle protocol " + proto);
          }
          break;
        }
      case 0x95: // FRAME: the frame length is only a read-ahead hint
        readLongLE();
        break;
      // --- marks and stack manipulation
      case '(': // MARK
        metastack.add(stack);
        stack = new ArrayList<>();
        break;
      case '0': // POP
        if (stack.isEmpty()) {
          popMark();
        } else {
          pop();
        }
        break;
      case '1': // POP_MARK
        popMark();
        break;
      case '2': // DUP
        push(peek());
        break;
      // --- constants and numbers
      case 'N':
        push(null);
        break;
      case 0x88:
        push(Boolean.TRUE);
        break;
      case 0x89:
        push(Boolean.FALSE);
        break;
      case 'J':
        push((long) readIntLE());
        break; // BININT
      case 'K':
        push((long) readByte());
        break; // BININT1
      case 'M':
        push((long) (readByte() | (readByte() << 8)));
        break; // BININT2
      case 0x8a:
        push(readLong(readByte()));
        break; // LONG1
      case 0x8b:
        push(readLong(checkedSize(readIntLE())));
        break; // LONG4
      case 'G':
        push(Double.longBitsToDouble(Long.reverseBytes(readLongLE())));
        break; // BINFLOAT (big-endian)
      case 'I':
        push(parseTextInt(readLine()));
        break; // INT
      case 'L':
        { // LONG
          String s = readLine();
          push(parseInteger(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
          break;
        }
      case 'F':
        push(parseTextFloat(readLine()));
        break; // FLOAT
      // --- strings and bytes
      case 'X':
        push(utf8(readBytes(checkedSize(readIntLE()))));
        break; // BINUNICODE
      case 0x8c:
        push(utf8(readBytes(readByte())));
        break; // SHORT_BINUNICODE
      case 0x8d:
        push(utf8(readBytes(checkedSize(readLongLE()))));
        break; // BINUNICODE8
      case 'V':
        push(decodeRawUnicodeEscape(readLine()));
        break; // UNICODE
      case 'B':
        push(readBytes(checkedSize(readIntLE())));
        break; // BINBYTES
      case 'C':
        push(readBytes(readByte()));
        break; // SHORT_BINBYTES
      case 0x8e:
        push(readBytes(checkedSize(readLongLE())));
        break; // BINBYTES8
      case 0x96:
        push(readBytes(checkedSize(readLongLE())));
        break; // BYTEARRAY8
      // Python 2 str: decoded as latin-1 text, which is what encoding='latin1' does.
      case 'T':
        push(latin1(readBytes(checkedSize(readIntLE()))));
        break; // BINSTRING
      case 'U':
        push(latin1(readBytes(readByte())));
        break; // SHORT_BINSTRING
      case 'S':
        push(parseQuotedString(readLine()));
        break; // STRING
      case 0x97:
        throw corrupt("out-of-band buffers (NEXT_BUFFER) are not supported");
      case 0x98:
        break; // READONLY_BUFFER: no effect on our immutable copies
      // --- containers
      case ')':
        push(PyTuple.EMPTY);
        break;
      case 't':
        push(PyTuple.copyOf(popMark()));
        break;
      case 0x85:
        push(PyTuple.of(pop()));
        break;
      case 0x86:
        {
          Object b = pop();
          Object a = pop();
          push(PyTuple.of(a, b));
          break;
        }
      case 0x87:
        {
          Object c = pop();
          Object b = pop();
          Object a = pop();
          push(PyTuple.of(a, b, c));
          break;
        }
      case ']':
        push(new ArrayList<>());
        break;
      case 'l':
        push(new ArrayList<>(popMark()));
        break;
      case '}':
        push(new LinkedHashMap<>());
        break;
      case 'd':
        { // DICT
          List<Object> items = popMark();
          Map<Object, Object> d = new LinkedHashMap<>();
          putPairs(d, items);
          push(d);
          break;
        }
      case 0x8f:
        push(new LinkedHashSet<>());
        break; // EMPTY_SET
      case 0x91:
        push(new LinkedHashSet<>(hashables(popMark())));
        break; // FROZENSET
      case 'a':
        {
          Object v = pop();
          asList(peek(), "APPEND").add(v);
          break;
        }
      case 'e':
        {
          List<Object> items = popMark();
          asList(peek(), "APPENDS").addAll(items);
          break;
        }
      case 's':
        {
          Object v = pop();
          Object k = hashable(pop());
          asMap(peek(), "SETITEM").put(k, v);
          break;
        }
      case 'u':
        {
          List<Object> items = popMark();
          putPairs(asMap(peek(), "SETITEMS"), items);
          break;
        }
      case 0x90:
        {
          List<Object> items = hashables(popMark());
          asSet(peek()).addAll(items);
          break;
        } // ADDITEMS
      // --- memo
      case 'p':
        memo.put(parseMemoKey(readLine()), peek());
        break; // PUT
      case 'q':
        memo.put(readByte(), peek());
        break; // BINPUT
      case 'r':
        memo.put(checkedSize(readIntLE()), peek());
        break; // LONG_BINPUT
      case 0x94:
        memo.put(memo.size(), peek());
        break; // MEMOIZE
      case 'g':
        push(memoGet(parseMemoKey(readLine())));
        break; // GET
      case 'h':
        push(memoGet(readByte()));
        break; // BINGET
      case 'j':
        push(memoGet(checkedSize(readIntLE())));
        break; // LONG_BINGET
      // --- globals and object construction: only through the allow-list
      case 'c':
        { // GLOBAL
          String module = readLine();
          String qual = readLine();
          push(resolve(module, qual));
          break;
        }
      case 0x93:
        { // STACK_GLOBAL
          Object qual = pop();
          Object module = pop();
          if (!(module instanceof String) || !(qual instanceof String)) {
            throw corrupt(
                "STACK_GLOBAL needs two strings, got "
                    + typeName(module)
                    + " and "
                    + typeName(qual));
          }
          push(resolve((String) module, (String) qual));
          break;
        }
      case 0x82:
      case 0x83:
      case 0x84:
        throw corrupt("the copyreg extension registry (EXT opcodes) is not supported");
      case 'R':
        { // REDUCE
          Object args = pop();
          Object callable = pop();
          push(asGlobal(callable, "REDUCE").call(asTuple(args, "REDUCE")));
          break;
        }
      case 0x81:
        { // NEWOBJ
          Object args = pop();
          Object cls = pop();
          push(asGlobal(cls, "NEWOBJ").newObject(asTuple(args, "NEWOBJ"), Map.of()));
          break;
        }
      case 0x92:
        { // NEWOBJ_EX
          Object kwargs = pop();
          Object args = pop();
          Object cls = pop();
          push(
              asGlobal(cls, "NEWOBJ_EX").newObject(asTuple(args, "NEWOBJ_EX"), stringKeys(kwargs)));
          break;
        }
      case 'i':
        { // INST: module and class on the line, args from the mark
          String module = readLine();
          String qual = readLine();
          PyGlobal cls = resolve(module, qual);
          push(cls.call(PyTuple.copyOf(popMark())));
          break;
        }
      case 'o':
        { // OBJ: class and args from the mark
          List<Object> items = popMark();
          if (items.isEmpty()) {
            throw corrupt("OBJ without a class");
          }
          PyGlobal cls = asGlobal(items.get(0), "OBJ");
          push(cls.call(PyTuple.copyOf(items.subList(1, items.size()))));
          break;
        }
      case 'b':
        { // BUILD
          Object state = pop();
          Object obj = peek();
          if (obj instanceof Buildable) {
            ((Buildable) obj).build(state);
          } else if (obj instanceof Map && state instanceof Map) {
            asMap(obj, "BUILD").putAll((Map<?, ?>) state);
          } else {
            throw corrupt("cannot BUILD a " + typeName(obj) + " with a " + typeName(state));
          }
          break;
        }
      case 'P':
        push(persistent(readLine()));
        break; // PERSID
      case 'Q':
        push(persistent(pop()));
        break; // BINPERSID
      default:
        throw corrupt(String.format("unknown opcode 0x%02x", op));
    }
  }

  // --- globals and persistent ids

  private PyGlobal resolve(String module, String qualName) throws PickleException {
    // Python 3 writes Python 2 names when dumping at protocol < 3 (fix_imports); read them back the
    // same way.
    String m =
        module.equals("__builtin__") ? "builtins" : module.equals("copy_reg") ? "copyreg" : module;
    PyGlobal g = globals.resolve(m, qualName);
    if (g == null) {
      throw new PickleException(
          "refusing global "
              + module
              + "."
              + qualName
              + " in "
              + name
              + " (byte "
              + opcodeOffset
              + "): only an explicit allow-list of globals is read, and nothing in the file is executed");
    }
    return g;
  }

  private Object persistent(Object pid) throws PickleException {
    if (persistentLoader == null) {
      throw corrupt("persistent id " + pid + " but this stream has no persistent objects");
    }
    return persistentLoader.load(pid);
  }

  // --- stack helpers

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() throws PickleException {
    if (stack.isEmpty()) {
      throw corrupt("stack underflow");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() throws PickleException {
    if (stack.isEmpty()) {
      throw corrupt("stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() throws PickleException {
    if (metastack.isEmpty()) {
      throw corrupt("no MARK on the stack");
    }
    List<Object> items = stack;
    stack = metastack.remove(metastack.size() - 1);
    return items;
  }

  private Object memoGet(int key) throws PickleException {
    if (!memo.containsKey(key)) {
      throw corrupt("memo key " + key + " was never stored");
    }
    return memo.get(key);
  }

  private void putPairs(Map<Object, Object> d, List<Object> items) throws PickleException {
    if (items.size() % 2 != 0) {
      throw corrupt("odd number of items for a dict");
    }
    for (int i = 0; i < items.size(); i += 2) {
      d.put(hashable(items.get(i)), items.get(i + 1));
    }
  }

  /**
   * Python refuses unhashable dict keys and set members (lists, dicts, sets, and tuples holding
   * them); so do we, which also keeps self-referential containers out of Java's hashCode.
   */
  private Object hashable(Object o) throws PickleException {
    if (!isHashable(o, 0)) {
      throw corrupt("unhashable " + typeName(o) + " used as a dict key or set member");
    }
    return o;
  }

  private List<Object> hashables(List<Object> items) throws PickleException {
    for (Object o : items) {
      hashable(o);
    }
    return items;
  }

  private static boolean isHashable(Object o, int depth) {
    if (o instanceof PyTuple) {
      if (depth > 100) {
        return false;
      }
      for (Object e : (PyTuple) o) {
        if (!isHashable(e, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    return !(o instanceof Collection) && !(o instanceof Map);
  }

  @SuppressWarnings("unchecked")
  private List<Object> asList(Object o, String op) throws PickleException {
    if (o instanceof ArrayList) {
      return (List<Object>) o;
    }
    throw corrupt(op + " on a " + typeName(o));
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> asMap(Object o, String op) throws PickleException {
    if (o instanceof Map) {
      return (Map<Object, Object>) o;
    }
    throw corrupt(op + " on a " + typeName(o));
  }

  @SuppressWarnings("unchecked")
  private Set<Object> asSet(Object o) throws PickleException {
    if (o instanceof Set) {
      return (Set<Object>) o;
    }
    throw corrupt("ADDITEMS on a " + typeName(o));
  }

  private PyTuple asTuple(Object o, String op) throws PickleException {
    if (o instanceof PyTuple) {
      return (PyTuple) o;
    }
    throw corrupt(op + " needs a tuple of arguments, got a " + typeName(o));
  }

  private PyGlobal asGlobal(Object o, String op) throws PickleException {
    if (o instanceof PyGlobal) {
      return (PyGlobal) o;
    }
    throw corrupt(op + " on a " + typeName(o) + ", which is not a global");
  }

  private Map<String, Object> stringKeys(Object o) throws PickleException {
    Map<Object, Object> m = asMap(o, "NEWOBJ_EX");
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> e : m.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        throw corrupt("NEWOBJ_EX keyword that is not a string: " + e.getKey());
      }
      out.put((String) e.getKey(), e.getValue());
    }
    return out;
  }

  static String typeName(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof PyGlobal) {
      return "global " + ((PyGlobal) o).qualifiedName();
    }
    if (o instanceof byte[]) {
      return "bytes";
    }
    return o.getClass().getSimpleName();
  }

  private PickleException corrupt(String what) {
    return new PickleException(
        "corrupt pickle in " + name + " at byte " + opcodeOffset + ": " + what);
  }

  // --- reading primitives

  private int readByte() throws IOException {
    if (bufPos == bufLen && !fill()) {
      throw new EOFException();
    }
    return buf[bufPos++] & 0xff;
  }

  private boolean fill() throws IOException {
    if (in == null) {
      return false; // array mode: the end of the array is the end of the stream
    }
    consumed += bufLen;
    bufPos = 0;
    bufLen = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    bufLen = n;
    return true;
  }

  private int readIntLE() throws IOException {
    return readByte() | (readByte() << 8) | (readByte() << 16) | (readByte() << 24);
  }

  private long readLongLE() throws IOException {
    long lo = readIntLE() & 0xffffffffL;
    long hi = readIntLE() & 0xffffffffL;
    return lo | (hi << 32);
  }

  private int checkedSize(long n) throws PickleException {
    if (n < 0 || n > Integer.MAX_VALUE - 8) {
      throw corrupt("impossible length " + n);
    }
    return (int) n;
  }

  /** Reads exactly n bytes; lengths beyond what the input holds are refused before allocating. */
  private byte[] readBytes(int n) throws IOException {
    if (knownLength >= 0 && position() + n > knownLength) {
      throw new EOFException();
    }
    if (n <= DIRECT_READ_LIMIT || knownLength >= 0) {
      byte[] out = new byte[n];
      readFully(out, 0, n);
      return out;
    }
    // Unknown length: grow as data arrives, so a corrupt huge length fails on EOF, not on
    // allocation.
    byte[] out = new byte[DIRECT_READ_LIMIT];
    int have = 0;
    while (have < n) {
      if (have == out.length) {
        out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, n));
      }
      int chunk = Math.min(out.length - have, n - have);
      readFully(out, have, chunk);
      have += chunk;
    }
    return out;
  }

  private void readFully(byte[] out, int off, int n) throws IOException {
    while (n > 0) {
      if (bufPos == bufLen) {
        if (in != null && n >= buf.length) {
          // Large reads bypass the buffer.
          consumed += bufLen;
          bufPos = 0;
          bufLen = 0;
          int r = in.read(out, off, n);
          if (r <= 0) {
            throw new EOFException();
          }
          consumed += r;
          off += r;
          n -= r;
          continue;
        }
        if (!fill()) {
          throw new EOFException();
        }
      }
      int k = Math.min(n, bufLen - bufPos);
      System.arraycopy(buf, bufPos, out, off, k);
      bufPos += k;
      off += k;
      n -= k;
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = readByte();
      if (b == '\n') {
        return sb.toString();
      }
      if (sb.length() > 1 << 20) {
        throw corrupt("text line longer than 1 MiB");
      }
      sb.append((char) b); // latin-1: protocol 0 text lines are ASCII
    }
  }

  private Object readLong(int n) throws IOException {
    if (n == 0) {
      return 0L;
    }
    byte[] le = readBytes(n);
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    return normalize(new BigInteger(be));
  }

  private static Object normalize(BigInteger v) {
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private Object parseInteger(String s) throws PickleException {
    try {
      return normalize(new BigInteger(s.trim()));
    } catch (NumberFormatException e) {
      throw corrupt("bad integer literal '" + s + "'");
    }
  }

  private Object parseTextInt(String s) throws PickleException {
    if (s.equals("01")) {
      return Boolean.TRUE;
    }
    if (s.equals("00")) {
      return Boolean.FALSE;
    }
    return parseInteger(s);
  }

  private Object parseTextFloat(String s) throws PickleException {
    String t = s.trim();
    switch (t) {
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      case "nan":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw corrupt("bad float literal '" + s + "'");
        }
    }
  }

  private int parseMemoKey(String s) throws PickleException {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw corrupt("bad memo key '" + s + "'");
    }
  }

  private String parseQuotedString(String s) throws PickleException {
    if (s.length() < 2
        || (s.charAt(0) != '\'' && s.charAt(0) != '"')
        || s.charAt(s.length() - 1) != s.charAt(0)) {
      throw corrupt("STRING argument is not quoted");
    }
    return unescape(s.substring(1, s.length() - 1), false);
  }

  private String decodeRawUnicodeEscape(String s) throws PickleException {
    return unescape(s, true);
  }

  /** Python's string-escape (STRING) or raw-unicode-escape (UNICODE) decoding. */
  private String unescape(String s, boolean rawUnicode) throws PickleException {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        sb.append(c);
        continue;
      }
      char n = s.charAt(i + 1);
      try {
        if (rawUnicode) {
          if (n == 'u' && i + 6 <= s.length()) {
            sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
            i += 5;
          } else if (n == 'U' && i + 10 <= s.length()) {
            sb.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
            i += 9;
          } else {
            sb.append(c);
          }
          continue;
        }
        i++;
        switch (n) {
          case 'n':
            sb.append('\n');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'r':
            sb.append('\r');
            break;
          case '0':
            sb.append('\0');
            break;
          case '\\':
            sb.append('\\');
            break;
          case '\'':
            sb.append('\'');
            break;
          case '"':
            sb.append('"');
            break;
          case 'x':
            sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
            i += 2;
            break;
          default:
            sb.append('\\').append(n);
        }
      } catch (RuntimeException e) {
        throw corrupt("bad escape in string literal");
      }
    }
    return sb.toString();
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
