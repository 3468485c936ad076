package dev.cdm.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ServiceLoader;

/**
 * Turns a path or URL given on the command line into a local file: the one download cache of the
 * project (networks, detectors, statistics, datasets that need random access). Local paths (and
 * {@code file:} URIs) are used in place; {@code http(s)://} URLs are downloaded with the JDK's HTTP
 * client; other schemes ({@code gs://}, any Beam file system) go through the {@link RemoteFetcher}
 * found on the class path (transforms/ provides one over Beam's {@code FileSystems}). Downloads
 * land in {@link #cacheDir} under a name derived from the URL's hash (and, for fetched objects,
 * their size and modification time, so a replaced object is fetched again), written to a temporary
 * name and renamed when complete, so a later call reuses them and an interrupted download never
 * looks finished.
 */
public final class Sources {
  private static volatile boolean warnedAlias;

  private Sources() {}

  /**
   * The local file for {@code location}; errors start with {@code flag=location} (e.g. {@code
   * --ref=gs://b/x.npz: ...}) so that the user sees which input failed.
   */
  public static Path open(String location, String flag) throws IOException {
    try {
      return open(location);
    } catch (NoSuchFileException e) {
      throw new IOException(flag + "=" + location + ": file not found", e);
    } catch (IOException e) {
      String m = e.getMessage();
      m =
          m == null || m.isBlank()
              ? e.getClass().getSimpleName()
              : m.replace("give its local path", "give " + flag + "=PATH");
      throw new IOException(flag + "=" + location + ": " + m, e);
    }
  }

  /**
   * The local file for {@code pathOrUri}, downloading it into the default cache if it is remote.
   */
  public static Path open(String pathOrUri) throws IOException {
    return open(pathOrUri, defaultCacheDir());
  }

  /** As {@link #open(String)} with an explicit cache directory. */
  public static Path open(String pathOrUri, Path cacheDir) throws IOException {
    URI uri = asUri(pathOrUri);
    if (uri == null || uri.getScheme().equals("file")) {
      Path p = uri == null ? Path.of(pathOrUri) : Path.of(uri);
      if (!Files.exists(p)) {
        throw new NoSuchFileException(pathOrUri, null, "no such file");
      }
      return p;
    }
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean http = scheme.equals("http") || scheme.equals("https");
    RemoteFetcher fetcher = http ? null : fetcherFor(uri);
    Path cached = cacheDir.resolve(cacheName(uri, http ? "" : fetcher.version(uri)));
    if (Files.isRegularFile(cached)) {
      return cached;
    }
    Files.createDirectories(cacheDir);
    Path tmp = LocalFiles.tempBeside(cached);
    try {
      if (http) {
        download(uri, tmp);
      } else {
        fetcher.fetch(uri, tmp);
      }
      LocalFiles.moveOver(tmp, cached);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return cached;
  }

  /**
   * A URI when the string has a scheme of two or more letters (so {@code C:\x} stays a path), else
   * null.
   */
  private static URI asUri(String s) {
    int colon = s.indexOf("://");
    if (colon < 2 && !s.startsWith("file:")) {
      return null;
    }
    try {
      URI u = new URI(s);
      return u.getScheme() == null ? null : u;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /**
   * The download cache: the {@code cdm.cache} system property, else {@code $CDM_CACHE}, else the
   * deprecated {@code $CDM_CACHE_DIR} (with a one-line warning), else {@code ~/.cache/cdm}.
   */
  public static Path cacheDir() {
    return cacheDir(
        System.getProperty("cdm.cache"),
        System.getenv("CDM_CACHE"),
        System.getenv("CDM_CACHE_DIR"));
  }

  static Path cacheDir(String property, String env, String deprecatedEnv) {
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    if (deprecatedEnv != null && !deprecatedEnv.isBlank()) {
      if (!warnedAlias) {
        warnedAlias = true;
        System.err.println("warning: CDM_CACHE_DIR is deprecated, set CDM_CACHE instead");
      }
      return Path.of(deprecatedEnv);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cdm");
  }

  static Path defaultCacheDir() {
    return cacheDir();
  }

  static String cacheName(URI uri) {
    return cacheName(uri, "");
  }

  /**
   * {@code <first 16 hex digits of sha256(url[#version])>-<last path segment>}: unique per URL (and
   * object version), readable in a listing.
   */
  static String cacheName(URI uri, String version) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    String key = version.isEmpty() ? uri.toString() : uri + "#" + version;
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8) + "-" + (last.isEmpty() ? "download" : last);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RemoteFetcher fetcherFor(URI uri) throws IOException {
    for (RemoteFetcher f : ServiceLoader.load(RemoteFetcher.class)) {
      if (f.supports(uri)) {
        return f;
      }
    }
    throw new IOException(
        "cannot read "
            + uri
            + ": no fetcher for "
            + uri.getScheme()
            + ":// on the class path (gs:// is provided by the transforms module)");
  }

  private static void download(URI uri, Path target) throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    HttpRequest req = HttpRequest.newBuilder(uri).GET().build();
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("download of " + uri + " interrupted", e);
    } catch (IOException e) {
      // Connection failures often carry no message: name the kind and what to do instead.
      String m = e.getMessage();
      throw new IOException(
          "cannot download "
              + uri
              + " ("
              + e.getClass().getSimpleName()
              + (m == null || m.isBlank() ? "" : ": " + m)
              + "); offline? fetch the file elsewhere"
              + " and give its local path",
          e);
    }
    try (InputStream in = resp.body()) {
      if (resp.statusCode() != 200) {
        throw new IOException("cannot download " + uri + ": HTTP " + resp.statusCode());
      }
      long total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
      Progress progress = new Progress(uri.toString(), total);
      try (OutputStream out = Files.newOutputStream(target)) {
        byte[] buf = new byte[1 << 16];
        long done = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          done += n;
          progress.update(done);
        }
        if (total >= 0 && done != total) {
          throw new IOException(
              "download of " + uri + " ended after " + done + " of " + total + " bytes");
        }
        progress.finish(done);
      }
    }
  }

  /** Reports a long download on stderr every few seconds with its rate and ETA. */
  private static final class Progress {
    private final String what;
    private final long total;
    private final long start = System.nanoTime();
    private long lastReport = start;

    Progress(String what, long total) {
      this.what = what;
      this.total = total;
    }

    void update(long done) {
      long now = System.nanoTime();
      if (now - lastReport < 5_000_000_000L) {
        return;
      }
      lastReport = now;
      double secs = (now - start) / 1e9;
      double rate = done / secs;
      String eta =
          total > 0 && rate > 0 ? String.format(", ETA %.0f s", (total - done) / rate) : "";
      System.err.printf(
          "downloading %s: %.1f%s MB, %.1f MB/s%s%n",
          what, done / 1e6, total > 0 ? String.format("/%.1f", total / 1e6) : "", rate / 1e6, eta);
    }

    void finish(long done) {
      double secs = (System.nanoTime() - start) / 1e9;
      if (secs > 5) {
        System.err.printf("downloaded %s: %.1f MB in %.0f s%n", what, done / 1e6, secs);
      }
    }
  }
}
