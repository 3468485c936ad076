package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzFileTest {
  @TempDir Path tmp;

  @Test
  void readsReferenceStatisticsFile() throws IOException {
    GaussianStatistics s = GaussianStatistics.read(Fixtures.path("fid-refA.npz"));
    assertEquals(64, s.dim());
    assertEquals(64 * 64, s.sigma().length);
    // sigma is a covariance: symmetric with a positive diagonal.
    for (int i = 0; i < 64; i++) {
      assertTrue(s.sigma()[i * 64 + i] > 0);
      for (int j = 0; j < 64; j++) {
        assertEquals(s.sigma()[i * 64 + j], s.sigma()[j * 64 + i], 1e-15);
      }
    }
  }

  @Test
  void readsUint8AndScalars() throws IOException {
    NpzFile npz = Fixtures.npz("fid-case.npz");
    NpyArray images = npz.get("imagesA");
    assertArrayEquals(new long[] {600, 32, 32}, images.shape());
    assertEquals(600 * 32 * 32, images.toUint8().length);
    assertEquals(0, npz.get("fid_B_vs_A").shape().length);
    assertTrue(Fixtures.scalar(npz, "fid_B_vs_A") > 0);
  }

  @Test
  void roundTripIsExactAndInNumpyLayout() throws IOException {
    GaussianStatistics ref = GaussianStatistics.read(Fixtures.path("fid-refA.npz"));
    Path out = tmp.resolve("sub/stats.npz");
    ref.write(out);
    GaussianStatistics back = GaussianStatistics.read(out);
    assertArrayEquals(ref.mu(), back.mu(), 0.0);
    assertArrayEquals(ref.sigma(), back.sigma(), 0.0);
    // np.savez layout: uncompressed members mu.npy and sigma.npy, byte-identical .npy payloads.
    try (ZipFile z = new ZipFile(out.toFile())) {
      ZipEntry mu = z.getEntry("mu.npy");
      assertEquals(ZipEntry.STORED, mu.getMethod());
      byte[] ours = z.getInputStream(mu).readAllBytes();
      byte[] theirs;
      try (ZipFile r = new ZipFile(Fixtures.path("fid-refA.npz").toFile())) {
        theirs = r.getInputStream(r.getEntry("mu.npy")).readAllBytes();
      }
      assertArrayEquals(theirs, ours);
    }
    try (var files = Files.list(out.getParent())) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void missingKeyNamesFileAndKey() throws IOException {
    Path bad = tmp.resolve("nomu.npz");
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    arrays.put("sigma", NpyArray.ofDoubles(new double[4], 2, 2));
    NpzFile.write(bad, arrays);
    IOException e = assertThrows(IOException.class, () -> GaussianStatistics.read(bad));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'mu'"), e.getMessage());
  }

  @Test
  void wrongShapeNamesFileKeyAndShapes() throws IOException {
    Path bad = tmp.resolve("shape.npz");
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    arrays.put("mu", NpyArray.ofDoubles(new double[3], 3));
    arrays.put("sigma", NpyArray.ofDoubles(new double[4], 2, 2));
    NpzFile.write(bad, arrays);
    IOException e = assertThrows(IOException.class, () -> GaussianStatistics.read(bad));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'sigma'"), e.getMessage());
    assertTrue(
        e.getMessage().contains("[2, 2]") && e.getMessage().contains("[3, 3]"), e.getMessage());

    Path flat = tmp.resolve("flat.npz");
    arrays.put("mu", NpyArray.ofDoubles(new double[4], 2, 2));
    NpzFile.write(flat, arrays);
    IOException e2 = assertThrows(IOException.class, () -> GaussianStatistics.read(flat));
    assertTrue(e2.getMessage().contains("'mu'"), e2.getMessage());
  }

  @Test
  void notAnNpzIsAClearError() throws IOException {
    Path bad = tmp.resolve("text.npz");
    Files.writeString(bad, "hello");
    IOException e = assertThrows(IOException.class, () -> GaussianStatistics.read(bad));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    IOException missing =
        assertThrows(IOException.class, () -> GaussianStatistics.read(tmp.resolve("none.npz")));
    assertTrue(missing.getMessage().contains("none.npz"), missing.getMessage());
  }
}
