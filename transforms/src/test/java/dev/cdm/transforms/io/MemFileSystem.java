package dev.cdm.transforms.io;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
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
 */
public final class MemFileSystem extends FileSystem<MemFileSystem.MemResourceId> {
  public static final String SCHEME = "mem";

  private static final Map<String, byte[]> OBJECTS = new ConcurrentSkipListMap<>();
  private static final Map<String, Long> MODIFIED = new ConcurrentSkipListMap<>();
  private static final AtomicLong CLOCK = new AtomicLong(1_000_000L);
  private static final java.util.Set<String> READ_ONLY =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Registers {@link MemFileSystem} with Beam. */
  public static final class Registrar implements FileSystemRegistrar {
    @Override
    public Iterable<FileSystem<?>> fromOptions(PipelineOptions options) {
      return List.of(new MemFileSystem());
    }
  }

  /** Puts an object (e.g. a test input); {@code location} is {@code mem://bucket/name}. */
  public static void put(String location, byte[] data) {
    OBJECTS.put(location, data.clone());
    MODIFIED.put(location, CLOCK.incrementAndGet());
  }

  /** The object's bytes, or null. */
  public static byte[] get(String location) {
    byte[] b = OBJECTS.get(location);
    return b == null ? null : b.clone();
  }

  /** Every object whose name starts with {@code prefix}, sorted. */
  public static List<String> names(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : OBJECTS.keySet()) {
      if (k.startsWith(prefix)) {
        out.add(k);
      }
    }
    return out;
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
      OBJECTS.remove(k);
      MODIFIED.remove(k);
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
        for (String k : OBJECTS.keySet()) {
          if (p.matcher(k).matches()) {
            found.add(metadata(k));
          }
        }
      } else if (OBJECTS.containsKey(spec)) {
        found.add(metadata(spec));
      }
      results.add(
          found.isEmpty()
              ? MatchResult.create(MatchResult.Status.NOT_FOUND, new FileNotFoundException(spec))
              : MatchResult.create(MatchResult.Status.OK, found));
    }
    return results;
  }

  private static MatchResult.Metadata metadata(String k) {
    return MatchResult.Metadata.builder()
        .setResourceId(new MemResourceId(k, false))
        .setIsReadSeekEfficient(true)
        .setSizeBytes(OBJECTS.get(k).length)
        .setLastModifiedMillis(MODIFIED.getOrDefault(k, 0L))
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
    ByteArrayOutputStream buffer =
        new ByteArrayOutputStream() {
          @Override
          public void close() {
            put(id.location, toByteArray()); // appears complete on close, like a GCS upload
          }
        };
    return Channels.newChannel(buffer);
  }

  @Override
  protected ReadableByteChannel open(MemResourceId id) throws IOException {
    byte[] b = OBJECTS.get(id.location);
    if (b == null) {
      throw new FileNotFoundException(id.location);
    }
    return Channels.newChannel(new java.io.ByteArrayInputStream(b));
  }

  @Override
  protected void copy(List<MemResourceId> src, List<MemResourceId> dest) throws IOException {
    for (int i = 0; i < src.size(); i++) {
      byte[] b = OBJECTS.get(src.get(i).location);
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
      OBJECTS.remove(id.location);
      MODIFIED.remove(id.location);
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
