package dev.cdm.transforms.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The constant-memory stored ZIP writer reads back with java.util.zip, including ZIP64 counts. */
class StoredZipWriterTest {
  @TempDir Path tmp;

  @Test
  void moreThan65535EntriesUseZip64AndReadBack() throws Exception {
    Path zip = tmp.resolve("many.zip");
    int n = 70_000; // beyond the classic format's 65535-entry limit
    try (DatasetArchiveWriter w = DatasetArchiveWriter.open(zip, true)) {
      for (int i = 0; i < n; i++) {
        w.write(WriteDatasetFn.archiveName(i), ("image " + i).getBytes(StandardCharsets.US_ASCII));
      }
      Path json = tmp.resolve("dataset.json");
      Files.writeString(json, "{\"labels\": null}");
      w.writeFile("dataset.json", json);
    }
    assertEquals(
        java.util.List.of("many.zip"),
        java.util.List.of(tmp.toFile().list()).stream()
            .filter(f -> !f.equals("dataset.json"))
            .toList(),
        "no side files left");
    try (ZipFile z = new ZipFile(zip.toFile())) {
      assertEquals(n + 1, z.size());
      for (int i : new int[] {0, 1, 65534, 65535, 65536, n - 1}) {
        ZipEntry e = z.getEntry(WriteDatasetFn.archiveName(i));
        assertEquals(ZipEntry.STORED, e.getMethod());
        try (InputStream in = z.getInputStream(e)) {
          assertArrayEquals(("image " + i).getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
        }
      }
      try (InputStream in = z.getInputStream(z.getEntry("dataset.json"))) {
        assertEquals("{\"labels\": null}", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }
}
