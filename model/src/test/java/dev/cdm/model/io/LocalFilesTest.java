package dev.cdm.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFilesTest {
  @TempDir Path tmp;

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(tmp.resolve("d"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writeReplacesAndLeavesNoTemporaryFile() throws Exception {
    Path f = tmp.resolve("d/x.npz");
    LocalFiles.write(f, new byte[] {1});
    LocalFiles.write(f, new byte[] {2, 3});
    assertEquals(2, Files.size(f));
    assertEquals(List.of("x.npz"), names());
  }

  @Test
  void createOnceKeepsTheFirstFile() throws Exception {
    Path f = tmp.resolve("d/result.txt");
    assertTrue(LocalFiles.createOnce(f, "first".getBytes()));
    assertFalse(LocalFiles.createOnce(f, "second".getBytes()));
    assertEquals("first", Files.readString(f));
    assertEquals(List.of("result.txt"), names());
  }

  @Test
  void temporaryNamesAreHiddenBesideTheTargetAndRecognised() {
    Path t = LocalFiles.tempBeside(tmp.resolve("a/00001.png"));
    assertEquals(tmp.resolve("a"), t.getParent());
    assertTrue(LocalFiles.isTempName(t.getFileName().toString()), t.toString());
    assertFalse(LocalFiles.isTempName("00001.png"));
    assertFalse(LocalFiles.isTempName(".hidden.tmp"));
  }
}
