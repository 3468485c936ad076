package dev.cdm.model.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.io.InputStream;

/**
 * PyTorch's fused {@code group_norm}, {@code silu} and attention kernels, which DJL's JNI does not
 * expose, reached through a tiny TorchScript module shipped as a resource ({@code fused-ops.pt},
 * built by {@code model/src/main/python/make_fused_ops.py}), and the host-to-GPU copy that does not
 * wait for the device ({@link #upload}).
 *
 * <p>Why: the composed forms (layer norm over a group view + affine, x·sigmoid(x)) cost three to
 * four extra passes over every activation; on an H100/H200 that is about 4% of a DDPM++ forward at
 * fp32 and the difference between trailing and matching the reference. The module has no
 * parameters, so one instance serves every device and thread. Autograd is recorded when grad mode
 * is on, so training uses the same kernels (and their fused backward).
 *
 * <p>{@code -Dcdm.fusedKernels=false} switches to the composed forms; so does a libtorch that
 * cannot load the module (with one warning).
 */
public final class FusedKernels {
  private static final String RESOURCE = "fused-ops.pt";
  private static final boolean REQUESTED =
      !"false".equalsIgnoreCase(System.getProperty("cdm.fusedKernels", "true"));
  private static volatile PtSymbolBlock module;
  private static volatile boolean failed;
  private static volatile boolean uploadFailed;
  private static final java.util.Map<Object, IValue> CONSTANTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private FusedKernels() {}

  /** True when the fused kernels are in use. */
  public static boolean enabled() {
    return REQUESTED && !failed && module() != null;
  }

  private static PtSymbolBlock module() {
    PtSymbolBlock m = module;
    if (m != null || failed) {
      return m;
    }
    synchronized (FusedKernels.class) {
      if (module == null && !failed) {
        try (InputStream in = FusedKernels.class.getResourceAsStream(RESOURCE)) {
          if (in == null) {
            throw new IllegalStateException("resource " + RESOURCE + " missing from the classpath");
          }
          // Owned by a manager that lives as long as the process: the module is shared.
          ScriptMethodCall.check(); // a DJL without the native entry: the composed kernels
          NDManager owner = NDManager.newBaseManager();
          module = JniUtils.loadModule((PtNDManager) owner, in, true, false);
        } catch (Exception | UnsatisfiedLinkError e) {
          failed = true;
          System.err.println(
              "cdm: fused group_norm/silu unavailable ("
                  + e.getMessage()
                  + "); using composed kernels");
        }
      }
      return module;
    }
  }

  /** {@code group_norm(x, groups, weight, bias, eps)}. */
  public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
    return call("group_norm", x, groups, weight, bias, eps);
  }

  /** {@code silu(group_norm(x, groups, weight, bias, eps))}. */
  public static NDArray groupNormSilu(
      NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
    return call("group_norm_silu", x, groups, weight, bias, eps);
  }

  /**
   * {@code host} (an array on the CPU) as an array on {@code like}'s device that libtorch owns.
   *
   * <p>On a GPU: {@code host.pin_memory().to(device, non_blocking=True)}, so the host goes on
   * issuing work while the copy waits its turn in the stream. DJL's own copy ({@code toDevice}) is
   * a blocking copy from pageable memory: libtorch synchronises the stream after it, so the host
   * first waits until the GPU has run everything queued before (the augment pipe did that five
   * times per training step). The pinned buffer comes from PyTorch's caching host allocator, which
   * keeps it until the copy is done. If that path fails once (no module, an old libtorch), every
   * later call uses the blocking copy, with one warning.
   *
   * <p>On the CPU: a copy ({@code host}'s memory may belong to a Java buffer that is freed with
   * it).
   */
  public static NDArray upload(NDArray host, NDArray like) {
    if (!like.getDevice().isGpu()) {
      return host.duplicate();
    }
    if (enabled() && !uploadFailed) {
      try {
        return run("upload", like.getManager(), host, like);
      } catch (RuntimeException e) {
        uploadFailed = true;
        System.err.println(
            "cdm: non-blocking uploads unavailable (" + e.getMessage() + "); using blocking ones");
      }
    }
    return host.toDevice(like.getDevice(), true);
  }

  /**
   * Attention {@code v softmax(q^T k / sqrt(c))^T} for {@code q, k, v} [N, c, L] (the reference's
   * layout), as [N, c, L], through {@code scaled_dot_product_attention}: on a GPU at reduced
   * precision a fused kernel (flash attention) that computes the logits and the softmax in float32
   * and keeps for backward only its inputs, its output and one float per query. The attention
   * weights [N, L, L] are never stored; autograd through the composed form keeps them in float32
   * (and in fp16 for the product with v) together with float32 copies of q and k, about 96 MiB more
   * per 16x16 attention layer of DDPM++ at batch 128 than the reference's hand-written AttentionOp,
   * which keeps q, k and the weights in fp16. Not the reference's rounding: the weights are rounded
   * to the activation dtype unnormalised (the kernel normalises after the product with v).
   */
  public static NDArray attention(NDArray q, NDArray k, NDArray v) {
    return run("attention", q.getManager(), q, k, v);
  }

  /** {@code silu(x)}. */
  public static NDArray silu(NDArray x) {
    return run("silu", x.getManager(), x);
  }

  private static NDArray call(
      String method, NDArray x, int groups, NDArray w, NDArray b, double eps) {
    return run(method, x.getManager(), x, constant((long) groups), w, b, constant(eps));
  }

  /**
   * {@code module.method(args)} as an array of {@code owner}: each array argument is passed as a
   * script tensor made for this call (and closed after it), each {@link IValue} as it is (the
   * cached constants).
   */
  private static NDArray run(String method, NDManager owner, Object... args) {
    IValue[] in = new IValue[args.length];
    try {
      for (int i = 0; i < args.length; i++) {
        in[i] = args[i] instanceof NDArray ? IValue.from((PtNDArray) args[i]) : (IValue) args[i];
      }
      try (IValue out = ScriptMethodCall.run(module(), method, in)) {
        return out.toTensor((PtNDManager) owner);
      }
    } finally {
      for (int i = 0; i < args.length; i++) {
        if (args[i] instanceof NDArray && in[i] != null) {
          in[i].close();
        }
      }
    }
  }

  /**
   * The script argument for a number, made once per value and kept for the process (a network has a
   * handful: group counts and epsilons): two native calls fewer per argument and call.
   */
  private static IValue constant(Object value) {
    return CONSTANTS.computeIfAbsent(
        value, v -> v instanceof Long ? IValue.from((Long) v) : IValue.from((Double) v));
  }
}
