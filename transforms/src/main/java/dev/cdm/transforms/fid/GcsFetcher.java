package dev.cdm.transforms.fid;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.cdm.fid.RemoteFetcher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Fetches {@code gs://bucket/object} with Google Cloud Storage (application default credentials). */
public final class GcsFetcher implements RemoteFetcher {
  private final java.util.function.Supplier<Storage> storage;

  /** The fetcher {@code ServiceLoader} finds: the default client (application default credentials). */
  public GcsFetcher() {
    this(() -> StorageOptions.getDefaultInstance().getService());
  }

  /** With another client, e.g. the in-memory fake of google-cloud-nio's {@code LocalStorageHelper}. */
  GcsFetcher(java.util.function.Supplier<Storage> storage) {
    this.storage = storage;
  }

  @Override
  public boolean handles(URI uri) {
    return "gs".equalsIgnoreCase(uri.getScheme());
  }

  @Override
  public void fetch(URI uri, Path dest) throws IOException {
    String bucket = uri.getHost();
    String object = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
    if (bucket == null || object.isEmpty()) {
      throw new IOException(uri + ": expected gs://bucket/object");
    }
    try {
      storage.get().downloadTo(BlobId.of(bucket, object), dest);
    } catch (RuntimeException e) {
      throw new IOException(uri + ": " + e.getMessage(), e);
    }
  }
}
