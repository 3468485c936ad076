package dev.cdm.pipelines.train;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Uploads run one at a time on a background thread, in the order they are handed over, so that a
 * slow link does not pause the thread that hands them (the training) while keeping the order a
 * watcher of the remote folder relies on. At most {@code maxLarge} large uploads (each holds a
 * local file until it is uploaded) wait or run at a time: handing over another one waits for room,
 * which bounds the local disk a slow link can fill. The first failure ends the uploading: the
 * uploads after it are abandoned (each one's {@link Upload#abandon} runs instead), and {@link
 * #check}, {@link #add} and {@link #flush} throw it on the handing thread.
 */
final class OrderedUploads {
  /** One upload. */
  interface Upload {
    /** Uploads; an error is the one-line message to show the user. */
    void run() throws IOException;

    /** Called instead of {@link #run} after an earlier upload failed, and after this one failed. */
    default void abandon() {}
  }

  private final ExecutorService thread;
  private final Semaphore large;
  private volatile IOException failure;

  /** Runs uploads on a new daemon thread named {@code name}. */
  OrderedUploads(String name, int maxLarge) {
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true); // a stuck upload does not keep a failed command alive
              return t;
            });
    this.large = new Semaphore(maxLarge);
  }

  /**
   * Queues {@code upload} after those handed before; a {@code large} one waits for room first.
   * Throws the failure of an earlier upload instead (then {@code upload} is not queued).
   */
  void add(Upload upload, boolean isLarge) throws IOException {
    check();
    if (isLarge) {
      try {
        large.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for an upload");
      }
    }
    try {
      thread.execute(
          () -> {
            try {
              if (failure != null) {
                upload.abandon();
                return;
              }
              try {
                upload.run();
              } catch (IOException e) {
                failure = e;
                upload.abandon();
              } catch (RuntimeException e) {
                failure = new IOException(e.getMessage(), e);
                upload.abandon();
              }
            } finally {
              if (isLarge) {
                large.release();
              }
            }
          });
    } catch (RuntimeException e) { // rejected: closed
      if (isLarge) {
        large.release();
      }
      throw e;
    }
  }

  /** Throws the failure of an upload handed over so far, if one has failed. */
  void check() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw f;
    }
  }

  /** Waits until every upload handed over so far is done; throws the first failure. */
  void flush() throws IOException {
    try {
      thread.submit(() -> {}).get(); // one thread in order: the uploads before it are done
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the uploads");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    check();
  }

  /**
   * Waits for the uploads handed over so far (or their abandon, after a failure) and ends the
   * thread; no upload is added after this. Does not throw the failure ({@link #check} does).
   */
  void close() throws InterruptedIOException {
    thread.shutdown();
    try {
      while (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
        // a slow upload still running: its file is what a resume needs, so wait for it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the uploads");
    }
  }
}
