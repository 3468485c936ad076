package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
  @TempDir Path tmp;
  private HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();
  private final byte[] body = "network bytes".getBytes(StandardCharsets.UTF_8);

  /** A fetcher for the made-up scheme {@code test://}, registered in test META-INF/services. */
  public static final class TestFetcher implements RemoteFetcher {
    @Override
    public boolean supports(URI uri) {
      return uri.getScheme().equals("test");
    }

    @Override
    public void fetch(URI uri, Path target) throws IOException {
      Files.writeString(target, "fetched " + uri.getPath());
    }
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/net.pkl",
        ex -> {
          hits.incrementAndGet();
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
          }
        });
    server.createContext(
        "/missing.pkl",
        ex -> {
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String p) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + p;
  }

  @Test
  void httpIsDownloadedOnceIntoTheCache() throws Exception {
    Path cache = tmp.resolve("cache");
    Path a = Sources.open(url("/net.pkl"), cache);
    assertArrayEquals(body, Files.readAllBytes(a));
    assertTrue(a.getFileName().toString().endsWith("-net.pkl"), a.toString());
    Path b = Sources.open(url("/net.pkl"), cache);
    assertEquals(a, b);
    assertEquals(1, hits.get(), "second open is served from the cache");
    try (Stream<Path> s = Files.list(cache)) {
      assertEquals(List.of(a), s.toList(), "no partial files left");
    }
  }

  @Test
  void httpErrorNamesTheUrlAndLeavesNothing() throws Exception {
    Path cache = tmp.resolve("cache");
    IOException e = assertThrows(IOException.class, () -> Sources.open(url("/missing.pkl"), cache));
    assertTrue(
        e.getMessage().contains(url("/missing.pkl")) && e.getMessage().contains("404"),
        e.getMessage());
    try (Stream<Path> s = Files.list(cache)) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void localPathsAndFileUrisAreUsedInPlace() throws Exception {
    Path f = Files.writeString(tmp.resolve("x.pkl"), "x");
    assertEquals(f, Sources.open(f.toString(), tmp.resolve("cache")));
    assertEquals(f, Sources.open(f.toUri().toString(), tmp.resolve("cache")));
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class, () -> Sources.open(tmp.resolve("nope.pkl").toString()));
    assertTrue(e.getMessage().contains("nope.pkl"));
  }

  @Test
  void otherSchemesGoThroughServiceLoadedFetchers() throws Exception {
    Path p = Sources.open("test://bucket/dir/model.pkl", tmp.resolve("cache"));
    assertEquals("fetched /dir/model.pkl", Files.readString(p));
    IOException e =
        assertThrows(
            IOException.class, () -> Sources.open("gs://bucket/model.pkl", tmp.resolve("cache")));
    assertTrue(
        e.getMessage().contains("gs://bucket/model.pkl") && e.getMessage().contains("no fetcher"),
        e.getMessage());
  }

  @Test
  void flagNamedErrorsNameTheInput() {
    IOException missing =
        assertThrows(
            IOException.class, () -> Sources.open(tmp.resolve("nope.pt").toString(), "--detector"));
    assertTrue(
        missing.getMessage().startsWith("--detector=")
            && missing.getMessage().contains("nope.pt")
            && missing.getMessage().contains("not found"),
        missing.getMessage());
    IOException http =
        assertThrows(IOException.class, () -> Sources.open(url("/missing.pkl"), "--ref"));
    assertTrue(
        http.getMessage().startsWith("--ref=" + url("/missing.pkl"))
            && http.getMessage().contains("404"),
        http.getMessage());
  }

  @Test
  void oneCacheVariableWithTheOldNameAsAnAlias() {
    assertEquals(Path.of("/p"), Sources.cacheDir("/p", "/e", "/d"));
    assertEquals(Path.of("/e"), Sources.cacheDir(null, "/e", "/d"));
    assertEquals(Path.of("/d"), Sources.cacheDir(null, "", "/d"), "CDM_CACHE_DIR still works");
    assertEquals(
        Path.of(System.getProperty("user.home"), ".cache", "cdm"),
        Sources.cacheDir(null, null, null));
  }

  @Test
  void fetchedObjectsAreCachedPerVersion() throws Exception {
    Path cache = tmp.resolve("cache");
    VersionedFetcher.version = "v1";
    Path a = Sources.open("versioned://bucket/stats.npz", cache);
    assertEquals("v1", Files.readString(a));
    assertEquals(a, Sources.open("versioned://bucket/stats.npz", cache), "same version: cached");
    VersionedFetcher.version = "v2";
    Path b = Sources.open("versioned://bucket/stats.npz", cache);
    assertEquals("v2", Files.readString(b), "a replaced object is fetched again");
  }

  /** A fetcher whose objects change: {@link #version} is both the version and the content. */
  public static final class VersionedFetcher implements RemoteFetcher {
    static volatile String version = "v1";

    @Override
    public boolean supports(URI uri) {
      return uri.getScheme().equals("versioned");
    }

    @Override
    public String version(URI uri) {
      return version;
    }

    @Override
    public void fetch(URI uri, Path target) throws IOException {
      Files.writeString(target, version);
    }
  }
}
