package dev.cdm.bench.pipelines;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.transforms.dataset.ImageTransform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * In-process cost per image of each step of {@code cdm dataset --transform=center-crop}: PNG
 * decode, crop + LANCZOS, PNG encode, on one thread, over the PNGs of a folder (e.g. the 5,000
 * images {@link DatasetBenchmark} synthesises). Run it with the JIT flags under test, e.g. {@code
 * -XX:TieredStopAtLevel=1}, to see what the per-image loops cost under each compiler.
 *
 * <pre>
 * java [jvm flags] -cp "pipelines/target/cdm-pipelines.jar:pipelines/target/lib/*" \
 *   dev.cdm.bench.pipelines.ImagePhaseBenchmark FOLDER [images=2000] [resolution=64] [passes=2]
 * </pre>
 */
public final class ImagePhaseBenchmark {
  private ImagePhaseBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int res = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int passes = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    List<byte[]> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : (Iterable<Path>) s.sorted().limit(n)::iterator) {
        files.add(Files.readAllBytes(p));
      }
    }
    ImageTransform crop = ImageTransform.of(ImageTransform.Mode.CENTER_CROP, res, res);
    for (int pass = 0; pass < passes; pass++) {
      long dec = 0;
      long tr = 0;
      long enc = 0;
      long check = 0;
      for (int i = 0; i < files.size(); i++) {
        long t0 = System.nanoTime();
        Pixels p = PngCodec.decode(files.get(i), "img" + i);
        long t1 = System.nanoTime();
        Pixels q = crop.apply(p, "img" + i);
        long t2 = System.nanoTime();
        byte[] png = PngCodec.encode(q);
        long t3 = System.nanoTime();
        dec += t1 - t0;
        tr += t2 - t1;
        enc += t3 - t2;
        check += png.length + (q.data()[q.data().length / 2] & 0xff);
      }
      double k = 1e6 * files.size();
      System.out.printf(
          "pass %d: %d images, per image: decode %.3f ms, crop+resize %.3f ms, encode %.3f ms"
              + " (check %d)%n",
          pass, files.size(), dec / k, tr / k, enc / k, check);
    }
  }
}
