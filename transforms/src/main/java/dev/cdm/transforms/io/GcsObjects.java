package dev.cdm.transforms.io;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * What Beam's {@code gs://} file system cannot do, through the Cloud Storage client: create an
 * object only if none exists ({@code ifGenerationMatch=0}), so that a result published by a job is
 * created exactly once even when the job restarts or two workers race. Everything else on {@code
 * gs://} goes through Beam's {@code FileSystems} ({@link AtomicFiles}).
 */
public final class GcsObjects {
  /** HTTP 412: the precondition (no object of that name) failed. */
  private static final int PRECONDITION_FAILED = 412;

  private static volatile Supplier<Storage> client =
      new Supplier<>() {
        private volatile Storage storage;

        @Override
        public Storage get() {
          if (storage == null) {
            // Application default credentials, as Beam's gs:// file system uses.
            storage = StorageOptions.getDefaultInstance().getService();
          }
          return storage;
        }
      };

  private GcsObjects() {}

  /**
   * Uses {@code storage} instead of the default client (application default credentials): e.g. a
   * client for another project, or the in-memory fake of google-cloud-nio's {@code
   * LocalStorageHelper} in tests.
   */
  public static void useClient(Storage storage) {
    client = () -> storage;
  }

  /** The bucket and object name of {@code gs://bucket/object}; an error names the location. */
  static BlobId blobId(String location) throws IOException {
    URI uri = URI.create(location);
    String bucket = uri.getHost();
    String object = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (!"gs".equals(uri.getScheme()) || bucket == null || object.isEmpty()) {
      throw new IOException(location + ": expected gs://bucket/object");
    }
    return BlobId.of(bucket, object);
  }

  /**
   * Creates the object {@code location} with {@code data} unless it exists; false when it does (the
   * object is left as it is). An upload session with {@code ifGenerationMatch=0}: the object
   * appears, complete, when the session finishes, or not at all.
   */
  public static boolean createOnce(String location, byte[] data) throws IOException {
    return createOnce(
        location,
        out -> {
          ByteBuffer buf = ByteBuffer.wrap(data);
          while (buf.hasRemaining()) {
            out.write(buf);
          }
        });
  }

  /**
   * As {@link #createOnce(String, byte[])} with the bytes of the local file {@code source},
   * streamed (a network snapshot of hundreds of MB is not held in memory).
   */
  public static boolean createOnce(String location, Path source) throws IOException {
    return createOnce(
        location,
        out -> {
          try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (in.read(buf) >= 0) {
              buf.flip();
              while (buf.hasRemaining()) {
                out.write(buf);
              }
              buf.clear();
            }
          }
        });
  }

  /** What an upload session writes. */
  private interface Content {
    void writeTo(WriteChannel out) throws IOException;
  }

  private static boolean createOnce(String location, Content content) throws IOException {
    BlobId id = blobId(location);
    BlobInfo info = BlobInfo.newBuilder(id).setContentType("application/octet-stream").build();
    try (WriteChannel out = client.get().writer(info, Storage.BlobWriteOption.doesNotExist())) {
      content.writeTo(out);
    } catch (IOException | StorageException e) {
      if (alreadyExists(e)) {
        return false;
      }
      throw new IOException(location + ": " + e.getMessage(), e);
    }
    return true;
  }

  /**
   * Whether {@code e} says the object exists: HTTP 412 from Cloud Storage, or (from the client's
   * in-memory fake, which checks the precondition when the upload opens) a {@code
   * FileAlreadyExistsException}; either may come wrapped.
   */
  static boolean alreadyExists(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StorageException && ((StorageException) t).getCode() == PRECONDITION_FAILED
          || t instanceof FileAlreadyExistsException) {
        return true;
      }
    }
    return false;
  }
}
