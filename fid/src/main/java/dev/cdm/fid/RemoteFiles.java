package dev.cdm.fid;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ServiceLoader;

/**
 * Turns a path, an http(s) URL or a {@code gs://} URI into a local file. Downloads are cached by
 * URL (as the reference's {@code dnnlib.util.open_url} does) under {@code $CDM_CACHE_DIR} or
 * {@code ~/.cache/cdm}, written to a temporary name and renamed when complete, so concurrent
 * workers and interrupted downloads never leave a partial file behind.
 */
public final class RemoteFiles {
  private RemoteFiles() {}

  /** The cache folder: {@code $CDM_CACHE_DIR}, else {@code ~/.cache/cdm/downloads}. */
  public static Path cacheDir() {
    String env = System.getenv("CDM_CACHE_DIR");
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "cdm", "downloads");
  }

  /**
   * A local file holding {@code spec}; {@code what} names the input (e.g. "--detector") in errors.
   */
  public static Path localCopy(String spec, String what) throws IOException {
    return localCopy(spec, what, cacheDir());
  }

  public static Path localCopy(String spec, String what, Path cache) throws IOException {
    if (spec.startsWith("http://") || spec.startsWith("https://") || spec.contains("://")) {
      URI uri = URI.create(spec);
      Path cached = cache.resolve(cacheName(spec));
      if (Files.isRegularFile(cached)) {
        return cached;
      }
      Files.createDirectories(cache);
      Path tmp = TempFiles.besides(cached);
      try {
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
          download(uri, tmp, what);
        } else {
          fetcherFor(uri, what).fetch(uri, tmp);
        }
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new IOException(what + "=" + spec + ": download failed (" + describe(e)
            + "); offline? fetch the file elsewhere and give " + what + "=PATH", e);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return cached;
    }
    Path p = Paths.get(spec);
    if (!Files.isRegularFile(p)) {
      throw new IOException(what + "=" + spec + ": file not found");
    }
    return p;
  }

  /** An exception as "Kind: message" (connection failures often have no message). */
  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /** {@code <sha256(url) prefix>_<last path segment>}: stable per URL, readable in a listing. */
  static String cacheName(String url) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
      String path = URI.create(url).getPath();
      String base = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
      base = base.replaceAll("[^A-Za-z0-9._-]", "_");
      return HexFormat.of().formatHex(h, 0, 16) + (base.isEmpty() ? "" : "_" + base);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void download(URI uri, Path dest, String what) throws IOException {
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
    HttpRequest req = HttpRequest.newBuilder(uri).GET().build();
    try {
      HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() / 100 != 2) {
        resp.body().close();
        throw new IOException("HTTP " + resp.statusCode() + " for " + uri);
      }
      try (InputStream in = resp.body()) {
        Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + uri, e);
    }
  }

  private static RemoteFetcher fetcherFor(URI uri, String what) throws IOException {
    for (RemoteFetcher f : ServiceLoader.load(RemoteFetcher.class)) {
      if (f.handles(uri)) {
        return f;
      }
    }
    throw new IOException(
        "no fetcher for scheme '" + uri.getScheme() + "' on the class path (gs:// needs the"
            + " cdm-transforms module)");
  }
}
