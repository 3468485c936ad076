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
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ServiceLoader;

/**
 * Turns a path or URL given on the command line into a local file. Local paths (and {@code file:}
 * URIs) are used in place; {@code http(s)://} URLs are downloaded with the JDK's HTTP client; other
 * schemes ({@code gs://}) go through a {@link RemoteFetcher} found on the class path. Downloads land
 * in a cache directory ({@code ~/.cache/cdm/}, or the {@code cdm.cache} system property, or the
 * {@code CDM_CACHE} environment variable) under a name derived from the URL's hash, written to a
 * temporary name and renamed when complete, so a later call reuses them and an interrupted download
 * never looks finished.
 */
public final class Sources {
  private Sources() {}

  /** The local file for {@code pathOrUri}, downloading it into the default cache if it is remote. */
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
    Path cached = cacheDir.resolve(cacheName(uri));
    if (Files.isRegularFile(cached)) {
      return cached;
    }
    Files.createDirectories(cacheDir);
    // Not Files.createTempFile: its 0600 mode would stay on the cached file.
    Path tmp = cacheDir.resolve("." + cached.getFileName() + "." + java.util.UUID.randomUUID() + ".part");
    try {
      String scheme = uri.getScheme().toLowerCase();
      if (scheme.equals("http") || scheme.equals("https")) {
        download(uri, tmp);
      } else {
        fetcherFor(uri).fetch(uri, tmp);
      }
      try {
        Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return cached;
  }

  /** A URI when the string has a scheme of two or more letters (so {@code C:\x} stays a path), else null. */
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

  static Path defaultCacheDir() {
    String prop = System.getProperty("cdm.cache");
    if (prop != null) {
      return Path.of(prop);
    }
    String env = System.getenv("CDM_CACHE");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cdm");
  }

  /** {@code <first 16 hex digits of sha256(url)>-<last path segment>}: unique per URL, readable. */
  static String cacheName(URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(uri.toString().getBytes(StandardCharsets.UTF_8));
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
    throw new IOException("cannot read " + uri + ": no fetcher for " + uri.getScheme()
        + ":// on the class path (gs:// is provided by the transforms module)");
  }

  private static void download(URI uri, Path target) throws IOException {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
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
      throw new IOException("cannot download " + uri + " (" + e.getClass().getSimpleName()
          + (m == null || m.isBlank() ? "" : ": " + m) + "); offline? fetch the file elsewhere"
          + " and give its local path", e);
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
          throw new IOException("download of " + uri + " ended after " + done + " of " + total + " bytes");
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
      String eta = total > 0 && rate > 0 ? String.format(", ETA %.0f s", (total - done) / rate) : "";
      System.err.printf("downloading %s: %.1f%s MB, %.1f MB/s%s%n", what, done / 1e6,
          total > 0 ? String.format("/%.1f", total / 1e6) : "", rate / 1e6, eta);
    }

    void finish(long done) {
      double secs = (System.nanoTime() - start) / 1e9;
      if (secs > 5) {
        System.err.printf("downloaded %s: %.1f MB in %.0f s%n", what, done / 1e6, secs);
      }
    }
  }
}
