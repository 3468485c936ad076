package dev.cdm.transforms.io;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystem;
import org.apache.beam.sdk.io.FileSystemRegistrar;
import org.apache.beam.sdk.io.fs.CreateOptions;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A Beam file system for the scheme {@code mem://}, held in this JVM's memory: an object store like
 * {@code gs://} (flat names, "folders" are prefixes, an object appears when its writer closes) that
 * tests can inspect, so that commands are tested end to end on a non-local scheme through exactly
 * the code paths {@code gs://} takes in Beam's {@code FileSystems}. Registered for tests in {@code
 * META-INF/services/org.apache.beam.sdk.io.FileSystemRegistrar}.
 *
 * <p>With the system property {@value #SHARED_DIR} set (to a local folder), the objects are held
 * there instead, one file each, so that a child JVM given the same property (e.g. the {@code cdm
 * evaluate} process that {@code cdm train --evaluate} starts, which inherits {@code cdm.*}
 * properties) sees the same bucket. Tests can slow writes down ({@link #setWriteDelay}) and read
 * the order in which objects appeared ({@link #writes}).
 */
public final class MemFileSystem extends FileSystem<MemFileSystem.MemResourceId> {
  public static final String SCHEME = "mem";

  /** A local folder holding the objects instead of this JVM's memory (shared between JVMs). */
  public static final String SHARED_DIR = "cdm.memfs.dir";

  private static final Map<String, byte[]> OBJECTS = new ConcurrentSkipListMap<>();
  private static final Map<String, Long> MODIFIED = new ConcurrentSkipListMap<>();
  private static final AtomicLong CLOCK = new AtomicLong(1_000_000L);
  private static final java.util.Set<String> READ_ONLY =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final Map<String, Long> WRITE_DELAY = new ConcurrentSkipListMap<>();
  private static final List<String> WRITES = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Registers {@link MemFileSystem} with Beam. */
  public static final class Registrar implements FileSystemRegistrar {
    @Override
    public Iterable<FileSystem<?>> fromOptions(PipelineOptions options) {
      return List.of(new MemFileSystem());
    }
  }

  /** Puts an object (e.g. a test input); {@code location} is {@code mem://bucket/name}. */
  public static void put(String location, byte[] data) {
    Path dir = sharedDir();
    if (dir == null) {
      OBJECTS.put(location, data.clone());
      MODIFIED.put(location, CLOCK.incrementAndGet());
    } else {
      try {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".put-", ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, dir.resolve(fileName(location)), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    WRITES.add(location);
  }

  /** The object's bytes, or null. */
  public static byte[] get(String location) {
    Path dir = sharedDir();
    if (dir == null) {
      byte[] b = OBJECTS.get(location);
      return b == null ? null : b.clone();
    }
    try {
      return Files.readAllBytes(dir.resolve(fileName(location)));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every object whose name starts with {@code prefix}, sorted. */
  public static List<String> names(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : keys()) {
      if (k.startsWith(prefix)) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * Every object written (completed) in this JVM under {@code prefix} since {@link #clear}, in the
   * order they appeared; an object written twice is there twice.
   */
  public static List<String> writes(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : WRITES) {
      if (k.startsWith(prefix)) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * Makes each write under {@code prefix} take at least {@code millis} more before the object
   * appears (a slow link); 0 removes the delay.
   */
  public static void setWriteDelay(String prefix, long millis) {
    if (millis > 0) {
      WRITE_DELAY.put(prefix, millis);
    } else {
      WRITE_DELAY.remove(prefix);
    }
  }

  /**
   * Makes writes under {@code prefix} fail (as a bucket without write permission does), or, with
   * {@code readOnly} false, succeed again.
   */
  public static void setReadOnly(String prefix, boolean readOnly) {
    if (readOnly) {
      READ_ONLY.add(prefix);
    } else {
      READ_ONLY.remove(prefix);
    }
  }

  /** Removes every object under {@code prefix}. */
  public static void clear(String prefix) {
    for (String k : names(prefix)) {
      remove(k);
    }
    WRITES.removeIf(k -> k.startsWith(prefix));
  }

  /** The folder of {@link #SHARED_DIR}, or null when objects are in this JVM's memory. */
  private static Path sharedDir() {
    String d = System.getProperty(SHARED_DIR);
    return d == null ? null : Path.of(d);
  }

  /** One flat file name per location (no folders, so "a" and "a/b" can both be objects). */
  private static String fileName(String location) {
    return URLEncoder.encode(location, StandardCharsets.UTF_8);
  }

  private static List<String> keys() {
    Path dir = sharedDir();
    if (dir == null) {
      return new ArrayList<>(OBJECTS.keySet());
    }
    List<String> out = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        files
            .map(f -> f.getFileName().toString())
            .filter(n -> !n.startsWith("."))
            .forEach(n -> out.add(URLDecoder.decode(n, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    out.sort(null);
    return out;
  }

  private static void remove(String location) {
    Path dir = sharedDir();
    if (dir == null) {
      OBJECTS.remove(location);
      MODIFIED.remove(location);
      return;
    }
    try {
      Files.deleteIfExists(dir.resolve(fileName(location)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The size and modification time (ms) of an object, or null when there is none. */
  private static long[] stat(String location) {
    Path dir = sharedDir();
    if (dir == null) {
      byte[] b = OBJECTS.get(location);
      return b == null ? null : new long[] {b.length, MODIFIED.getOrDefault(location, 0L)};
    }
    Path f = dir.resolve(fileName(location));
    try {
      return new long[] {Files.size(f), Files.getLastModifiedTime(f).toMillis()};
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected String getScheme() {
    return SCHEME;
  }

  @Override
  protected List<MatchResult> match(List<String> specs) {
    List<MatchResult> results = new ArrayList<>();
    for (String spec : specs) {
      List<MatchResult.Metadata> found = new ArrayList<>();
      if (spec.contains("*") || spec.contains("?")) {
        Pattern p = glob(spec);
        for (String k : keys()) {
          MatchResult.Metadata m = p.matcher(k).matches() ? metadata(k) : null;
          if (m != null) {
            found.add(m);
          }
        }
      } else {
        MatchResult.Metadata m = metadata(spec);
        if (m != null) {
          found.add(m);
        }
      }
      results.add(
          found.isEmpty()
              ? MatchResult.create(MatchResult.Status.NOT_FOUND, new FileNotFoundException(spec))
              : MatchResult.create(MatchResult.Status.OK, found));
    }
    return results;
  }

  /** The metadata of object {@code k}, or null when it is gone (deleted since listed). */
  private static MatchResult.Metadata metadata(String k) {
    long[] st = stat(k);
    if (st == null) {
      return null;
    }
    return MatchResult.Metadata.builder()
        .setResourceId(new MemResourceId(k, false))
        .setIsReadSeekEfficient(true)
        .setSizeBytes(st[0])
        .setLastModifiedMillis(st[1])
        .build();
  }

  /** {@code **}: any text; {@code *}: any text without '/'; {@code ?}: one character but '/'. */
  private static Pattern glob(String spec) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c == '*' && i + 1 < spec.length() && spec.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  @Override
  protected WritableByteChannel create(MemResourceId id, CreateOptions options) throws IOException {
    for (String prefix : READ_ONLY) {
      if (id.location.startsWith(prefix)) {
        throw new java.nio.file.AccessDeniedException(id.location);
      }
    }
    long delay = 0;
    for (Map.Entry<String, Long> d : WRITE_DELAY.entrySet()) {
      if (id.location.startsWith(d.getKey())) {
        delay = Math.max(delay, d.getValue());
      }
    }
    long slow = delay;
    ByteArrayOutputStream buffer =
        new ByteArrayOutputStream() {
          @Override
          public void close() throws IOException {
            if (slow > 0) {
              try {
                Thread.sleep(slow);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("write of " + id.location);
              }
            }
            put(id.location, toByteArray()); // appears complete on close, like a GCS upload
          }
        };
    return Channels.newChannel(buffer);
  }

  @Override
  protected ReadableByteChannel open(MemResourceId id) throws IOException {
    byte[] b = get(id.location);
    if (b == null) {
      throw new FileNotFoundException(id.location);
    }
    return Channels.newChannel(new java.io.ByteArrayInputStream(b));
  }

  @Override
  protected void copy(List<MemResourceId> src, List<MemResourceId> dest) throws IOException {
    for (int i = 0; i < src.size(); i++) {
      byte[] b = get(src.get(i).location);
      if (b == null) {
        throw new FileNotFoundException(src.get(i).location);
      }
      put(dest.get(i).location, b);
    }
  }

  @Override
  protected void rename(List<MemResourceId> src, List<MemResourceId> dest, MoveOptions... options)
      throws IOException {
    copy(src, dest);
    delete(src);
  }

  @Override
  protected void delete(Collection<MemResourceId> ids) {
    for (MemResourceId id : ids) {
      remove(id.location);
    }
  }

  @Override
  protected MemResourceId matchNewResource(String spec, boolean isDirectory) {
    if (isDirectory && !spec.endsWith("/")) {
      spec = spec + "/";
    }
    return new MemResourceId(spec, isDirectory);
  }

  /** {@code mem://bucket/a/b}: a location and whether it names a folder (ends with '/'). */
  public static final class MemResourceId implements ResourceId {
    private static final long serialVersionUID = 1L;
    final String location;
    private final boolean directory;

    MemResourceId(String location, boolean directory) {
      this.location = location;
      this.directory = directory;
    }

    @Override
    public ResourceId resolve(String other, ResolveOptions options) {
      String base = location.endsWith("/") ? location : location + "/";
      boolean dir = options == ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY;
      return new MemResourceId(base + other + (dir && !other.endsWith("/") ? "/" : ""), dir);
    }

    @Override
    public ResourceId getCurrentDirectory() {
      if (directory) {
        return this;
      }
      return new MemResourceId(location.substring(0, location.lastIndexOf('/') + 1), true);
    }

    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public String getFilename() {
      String s = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
      return s.substring(s.lastIndexOf('/') + 1);
    }

    @Override
    public boolean isDirectory() {
      return directory;
    }

    @Override
    public String toString() {
      return location;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MemResourceId && ((MemResourceId) o).location.equals(location);
    }

    @Override
    public int hashCode() {
      return location.hashCode();
    }
  }
}
