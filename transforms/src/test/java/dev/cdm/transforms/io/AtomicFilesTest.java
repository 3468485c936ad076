package dev.cdm.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.model.io.Sources;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file layer on a local disk and on a non-local Beam file system ({@link MemFileSystem}). */
class AtomicFilesTest {
  private static final String ROOT = "mem://atomic-files-test/";
  @TempDir Path tmp;

  @BeforeEach
  void cacheInTmp() {
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
  }

  @AfterEach
  void clear() {
    System.clearProperty("cdm.cache");
    MemFileSystem.clear(ROOT);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void localPathsAndUris() {
    assertTrue(AtomicFiles.isLocalPath("out/x.npz"));
    assertTrue(AtomicFiles.isLocalPath("/abs/x.npz"));
    assertTrue(AtomicFiles.isLocalPath("file:///abs/x.npz"));
    assertFalse(AtomicFiles.isLocalPath("gs://b/x.npz"));
    assertFalse(AtomicFiles.isLocalPath("mem://b/x.npz"));
    assertEquals("mem://b/dir/a/x.png", AtomicFiles.resolve("mem://b/dir/", "a/x.png"));
  }

  @Test
  void writeReadListAndDeleteOnANonLocalScheme() throws Exception {
    AtomicFiles.write(ROOT + "d/b.png", bytes("b"));
    AtomicFiles.write(ROOT + "d/sub/a.png", bytes("a"));
    AtomicFiles.write(ROOT + "d/b.png", bytes("b2"));
    assertEquals("b2", new String(AtomicFiles.read(ROOT + "d/b.png"), StandardCharsets.UTF_8));
    assertEquals(
        List.of(ROOT + "d/b.png", ROOT + "d/sub/a.png"),
        MemFileSystem.names(ROOT),
        "no temporary object is left");
    assertEquals(List.of("b.png", "sub/a.png"), AtomicFiles.list(ROOT + "d"));
    assertTrue(AtomicFiles.isFolder(ROOT + "d"));
    assertFalse(AtomicFiles.isFolder(ROOT + "d/b.png"));
    assertTrue(AtomicFiles.exists(ROOT + "d/b.png"));
    assertFalse(AtomicFiles.exists(ROOT + "d"));
    AtomicFiles.delete(ROOT + "d/b.png");
    assertFalse(AtomicFiles.exists(ROOT + "d/b.png"));
    assertThrows(FileNotFoundException.class, () -> AtomicFiles.read(ROOT + "d/b.png"));
    AtomicFiles.delete(ROOT + "d/b.png"); // no error when absent
  }

  @Test
  void createOnceKeepsTheFirstResultOnEveryFileSystem() throws Exception {
    for (String loc : List.of(ROOT + "r/fid.txt", tmp.resolve("r/fid.txt").toString())) {
      assertTrue(AtomicFiles.createOnce(loc, bytes("first")), loc);
      assertFalse(AtomicFiles.createOnce(loc, bytes("second")), loc);
      assertEquals("first", new String(AtomicFiles.read(loc), StandardCharsets.UTF_8), loc);
    }
    assertEquals(List.of(ROOT + "r/fid.txt"), MemFileSystem.names(ROOT));
    try (var s = Files.list(tmp.resolve("r"))) {
      assertEquals(1, s.count());
    }
  }

  @Test
  void stagedResultsMoveOntoTheDestination() throws Exception {
    String dest = ROOT + "stats/ref.npz";
    AtomicFiles.write(dest, bytes("old"));
    String staged = AtomicFiles.stagingFor(dest);
    assertTrue(staged.startsWith(ROOT + "stats/.ref.npz.") && staged.endsWith(".tmp"), staged);
    assertTrue(AtomicFiles.createOnce(staged, bytes("new")));
    AtomicFiles.move(staged, dest);
    assertEquals(List.of(dest), MemFileSystem.names(ROOT));
    assertEquals("new", new String(AtomicFiles.read(dest), StandardCharsets.UTF_8));
  }

  @Test
  void uploadCopiesALocalFile() throws Exception {
    Path src = Files.write(tmp.resolve("big.zip"), new byte[300_000]);
    AtomicFiles.upload(src, ROOT + "up/big.zip");
    assertEquals(300_000, MemFileSystem.get(ROOT + "up/big.zip").length);
    AtomicFiles.upload(src, tmp.resolve("copy/big.zip").toString());
    assertEquals(300_000, Files.size(tmp.resolve("copy/big.zip")));
  }

  private static byte[] png(int v) {
    byte[] px = new byte[4 * 4];
    java.util.Arrays.fill(px, (byte) v);
    return PngCodec.encodeCompressed(new Pixels(4, 4, 1, px));
  }

  @Test
  void datasetsAreReadFromARemoteFolderOrZip() throws Exception {
    MemFileSystem.put(ROOT + "imgs/b/1.png", png(20));
    MemFileSystem.put(ROOT + "imgs/a.png", png(10));
    MemFileSystem.put(
        ROOT + "imgs/dataset.json", bytes("{\"labels\": [[\"a.png\", 3], [\"b/1.png\", 5]]}"));
    try (ImageArchive a = AtomicFiles.openArchive(ROOT + "imgs")) {
      assertEquals(List.of("a.png", "b/1.png"), a.names());
      assertEquals(20, a.pixels(1).data()[0]);
      assertTrue(a.hasLabels());
    }
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      z.putNextEntry(new ZipEntry("00000.png"));
      z.write(png(7));
      z.closeEntry();
    }
    MemFileSystem.put(ROOT + "data.zip", zip.toByteArray());
    try (ImageArchive a = AtomicFiles.openArchive(ROOT + "data.zip")) {
      assertEquals(List.of("00000.png"), a.names());
      assertEquals(7, a.pixels(0).data()[0]);
      assertTrue(a.path().startsWith(Sources.cacheDir()), "a remote ZIP is read from the cache");
    }
    java.io.IOException missing =
        assertThrows(java.io.IOException.class, () -> AtomicFiles.openArchive(ROOT + "none"));
    assertTrue(missing.getMessage().contains(ROOT + "none"), missing.getMessage());
  }

  @Test
  void theDownloadCacheRefetchesAReplacedObject() throws Exception {
    MemFileSystem.put(ROOT + "ref.npz", bytes("v1"));
    Path first = Sources.open(ROOT + "ref.npz", "--ref");
    assertEquals("v1", Files.readString(first));
    assertEquals(first, Sources.open(ROOT + "ref.npz", "--ref"));
    MemFileSystem.put(ROOT + "ref.npz", bytes("v2"));
    assertEquals("v2", Files.readString(Sources.open(ROOT + "ref.npz", "--ref")));
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> Sources.open(ROOT + "missing.npz", "--ref"));
    assertTrue(e.getMessage().startsWith("--ref=" + ROOT + "missing.npz"), e.getMessage());
  }
}
