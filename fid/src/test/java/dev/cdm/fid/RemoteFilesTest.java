package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteFilesTest {
  @Test
  void httpDownloadsAreCachedByUrlAndComplete(@TempDir Path cache) throws IOException {
    byte[] body = Files.readAllBytes(Fixtures.path("fid-refA.npz"));
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/refs/stats.npz", ex -> {
      requests.incrementAndGet();
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    });
    server.createContext("/missing.npz", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Path first = RemoteFiles.localCopy(base + "/refs/stats.npz", "--ref", cache);
      Path second = RemoteFiles.localCopy(base + "/refs/stats.npz", "--ref", cache);
      assertEquals(first, second);
      assertEquals(1, requests.get(), "second use must come from the cache");
      assertArrayEquals(body, Files.readAllBytes(first));
      assertTrue(first.getFileName().toString().endsWith("_stats.npz"), first.toString());
      assertEquals(64, GaussianStatistics.read(first).dim());

      IOException e = assertThrows(IOException.class,
          () -> RemoteFiles.localCopy(base + "/missing.npz", "--ref", cache));
      assertTrue(e.getMessage().contains("--ref=") && e.getMessage().contains("404"), e.getMessage());
      try (var files = Files.list(cache)) {
        assertEquals(1, files.count(), "a failed download leaves nothing behind");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void unknownSchemeAndMissingFileNameTheInput(@TempDir Path cache) {
    IOException e = assertThrows(IOException.class,
        () -> RemoteFiles.localCopy("s3://bucket/x.pt", "--detector", cache));
    assertTrue(e.getMessage().contains("--detector=s3://bucket/x.pt"), e.getMessage());
    IOException m = assertThrows(IOException.class,
        () -> RemoteFiles.localCopy(cache.resolve("nope.pt").toString(), "--detector", cache));
    assertTrue(m.getMessage().contains("nope.pt") && m.getMessage().contains("not found"),
        m.getMessage());
  }
}
