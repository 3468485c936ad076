package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.nn.DhariwalUNet;
import dev.cdm.model.nn.Forward;
import dev.cdm.model.nn.Kwargs;
import dev.cdm.model.nn.Module;
import dev.cdm.model.nn.Ops;
import dev.cdm.model.nn.SongUNet;
import dev.cdm.model.nn.UNet;
import dev.cdm.model.torch.Autograd;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A preconditioned denoiser {@code D(x; sigma) = c_skip x + c_out F(c_in x; c_noise)} around a
 * U-Net {@code F} (EDM paper, Table 1). Subclasses give the four preconditionings of the reference.
 *
 * <p>The object owns its tensors on its own manager (a child of the manager it was built with);
 * {@link #close()} frees them. {@link #denoise} runs every intermediate on a sub-manager of the
 * input's manager and attaches the result to the input's manager; it is differentiable (DJL
 * autograd) with respect to the tensors of {@link #parameters()} and to the inputs.
 */
public abstract class Precond extends Module implements Denoiser, AutoCloseable {
  private static final String PKG = "training.networks.";

  protected final NDManager manager;
  protected final int imgResolution;
  protected final int imgChannels;
  protected final int labelDim;
  protected final boolean useFp16;
  protected final UNet model;
  private final String className;
  private final Map<String, Object> initKwargs;
  private final Map<String, NDArray> cache = new ConcurrentHashMap<>();

  /**
   * {@link #parameters()} as last built (the training loop asks several times per step; building it
   * walks every layer and joins names), current while {@link #structureVersion()} is {@code
   * parametersAt}.
   */
  private LinkedHashMap<String, NDArray> parameters;

  private List<NDArray> parameterArrays;

  private long parametersAt = -1;

  private final Object parametersLock = new Object();
  private volatile PassWeights passWeights;
  private Precision precision;
  private double sigmaMin;
  private double sigmaMax;

  /**
   * Reads the precond's own arguments through {@link #readOwnKwargs}, then builds the model from
   * the remaining ones (the reference's {@code **model_kwargs}).
   */
  protected Precond(
      String className,
      Map<String, Object> initKwargs,
      NDManager parent,
      String defaultModelType,
      int outChannelsFactor) {
    this.className = className;
    this.initKwargs = Collections.unmodifiableMap(new LinkedHashMap<>(initKwargs));
    this.manager = parent.newSubManager();
    Kwargs kw = new Kwargs(className, initKwargs);
    this.imgResolution = kw.getInt("img_resolution", null);
    this.imgChannels = kw.getInt("img_channels", null);
    this.labelDim = kw.getInt("label_dim", 0);
    this.useFp16 = kw.getBool("use_fp16", false);
    this.precision = useFp16 ? Precision.FP16 : Precision.FP32;
    String modelType = kw.getString("model_type", defaultModelType);
    readOwnKwargs(kw);
    Map<String, Object> mk = new LinkedHashMap<>();
    mk.put("img_resolution", imgResolution);
    mk.put("in_channels", imgChannels);
    mk.put("out_channels", imgChannels * outChannelsFactor);
    mk.put("label_dim", labelDim);
    mk.putAll(kw.unused());
    Kwargs modelKw = new Kwargs(className + ".model (" + modelType + ")", mk);
    try {
      beforeModel();
      switch (modelType) {
        case "SongUNet":
          this.model = addChild("model", new SongUNet(manager, modelKw));
          break;
        case "DhariwalUNet":
          this.model = addChild("model", new DhariwalUNet(manager, modelKw));
          break;
        default:
          throw new IllegalArgumentException(
              className + ": model_type '" + modelType + "' is not SongUNet or DhariwalUNet");
      }
      afterModel();
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Reads the arguments specific to this preconditioning (sigma range, schedule constants). */
  protected abstract void readOwnKwargs(Kwargs kw);

  /** Sets {@link #sigmaMin()} and {@link #sigmaMax()}: from the kwargs, or from the schedule. */
  protected final void setSigmaRange(double sigmaMin, double sigmaMax) {
    this.sigmaMin = sigmaMin;
    this.sigmaMax = sigmaMax;
  }

  @Override
  public final double sigmaMin() {
    return sigmaMin;
  }

  @Override
  public final double sigmaMax() {
    return sigmaMax;
  }

  /** Hook for draws the reference makes before building the model (none so far). */
  protected void beforeModel() {}

  /** Hook for buffers the reference registers after the model (iDDPM's {@code u}). */
  protected void afterModel() {}

  /**
   * Builds a fresh network from the reference's class name ({@code EDMPrecond} or {@code
   * training.networks.EDMPrecond}, also VP, VE, iDDPM) and constructor keyword arguments, with the
   * reference's weight initialisation drawn from DJL's global generator.
   */
  public static Precond create(String className, Map<String, ?> initKwargs, NDManager manager) {
    String simple = className.startsWith(PKG) ? className.substring(PKG.length()) : className;
    @SuppressWarnings("unchecked")
    Map<String, Object> kw = (Map<String, Object>) initKwargs;
    switch (simple) {
      case "EDMPrecond":
        return new EDMPrecond(kw, manager);
      case "VPPrecond":
        return new VPPrecond(kw, manager);
      case "VEPrecond":
        return new VEPrecond(kw, manager);
      case "iDDPMPrecond":
        return new IDDPMPrecond(kw, manager);
      default:
        throw new IllegalArgumentException(
            "class '"
                + className
                + "' is not a known preconditioner (EDMPrecond, VPPrecond,"
                + " VEPrecond, iDDPMPrecond)");
    }
  }

  // ---- the paper's coefficients, sigma is float32 [N, 1, 1, 1] ----

  public abstract NDArray cSkip(NDArray sigma);

  public abstract NDArray cOut(NDArray sigma);

  public abstract NDArray cIn(NDArray sigma);

  public abstract NDArray cNoise(NDArray sigma);

  /** The part of F's output that is the denoiser's (iDDPM also predicts variances). */
  protected NDArray modelOutput(NDArray fx) {
    return fx;
  }

  @Override
  public NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels) {
    return denoise(x, sigma, classLabels, augmentLabels, false);
  }

  /**
   * The reference's {@code forward(x, sigma, class_labels, force_fp32, augment_labels=...)}: {@code
   * forceFp32} runs the model in float32 even when the reduced precision is set.
   */
  public NDArray denoise(
      NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels, boolean forceFp32) {
    return denoise(x, sigma, classLabels, augmentLabels, forceFp32 ? Precision.FP32 : precision);
  }

  /**
   * {@link #denoise} at an explicit execution precision for this call only (thread-safe alternative
   * to switching {@link #setPrecision}); fp16 applies on a GPU only, as always.
   */
  public NDArray denoise(
      NDArray x,
      NDArray sigma,
      NDArray classLabels,
      NDArray augmentLabels,
      Precision callPrecision) {
    if (callPrecision == Precision.BF16) {
      setPrecision(callPrecision); // throws the explanatory error
    }
    NDManager caller = x.getManager();
    try (NDManager sub = caller.newSubManager()) {
      for (NDArray a : new NDArray[] {x, sigma, classLabels, augmentLabels}) {
        if (a != null) {
          a.tempAttach(sub);
        }
      }
      // Ops.cast: differentiable casts (DJL's toType is not), as the reference's .to() calls are.
      NDArray x32 = Ops.cast(x, DataType.FLOAT32);
      NDArray s = Ops.cast(sigma, DataType.FLOAT32).reshape(-1, 1, 1, 1);
      NDArray labels = null;
      if (labelDim != 0) {
        labels =
            classLabels == null
                ? sub.zeros(new Shape(1, labelDim), DataType.FLOAT32, x.getDevice())
                : Ops.cast(classLabels, DataType.FLOAT32).reshape(-1, labelDim);
      }
      DataType dtype =
          reducedPrecisionOn(x.getDevice()) ? callPrecision.dataType() : DataType.FLOAT32;
      PassWeights pw = passWeights;
      Map<NDArray, NDArray> passCasts =
          pw != null && Autograd.isGradMode() ? pw.forPass(dtype, sub) : null;
      Forward f = new Forward(sub, dtype, isTraining(), manager, cache, passCasts);
      NDArray in = Ops.cast(cIn(s).mul(x32), dtype);
      NDArray fx = model.forward(f, in, cNoise(s).flatten(), labels, augmentLabels);
      if (fx.getDataType() != dtype) {
        throw new IllegalStateException("model output dtype " + fx.getDataType() + " != " + dtype);
      }
      NDArray out = Ops.cast(modelOutput(fx), DataType.FLOAT32);
      NDArray d = cSkip(s).mul(x32).add(cOut(s).mul(out));
      d.attach(caller);
      return d;
    }
  }

  /** float32 unless a reduced precision is set, not forced off, and x is on a GPU. */
  public DataType executionType(NDArray x, boolean forceFp32) {
    return precision != Precision.FP32 && !forceFp32 && reducedPrecisionOn(x.getDevice())
        ? precision.dataType()
        : DataType.FLOAT32;
  }

  /**
   * Whether a reduced precision applies on {@code device}: on a GPU. On the CPU the network runs in
   * float32, as the reference's {@code use_fp16} does, except in tests that set the system property
   * {@code cdm.test.reducedPrecisionOnCpu=true} to exercise the fp16 code paths without a GPU.
   */
  static boolean reducedPrecisionOn(ai.djl.Device device) {
    return device.isGpu() || Boolean.getBoolean("cdm.test.reducedPrecisionOnCpu");
  }

  /** Where a training pass takes its weights from (see {@link #setPassWeights}). */
  public interface PassWeights {
    /**
     * For one forward pass at {@code dtype} that records gradients: each parameter array (by
     * identity) mapped to its copy in {@code dtype} (at float32 it may share the parameter's
     * storage), made once for the pass, a leaf of the pass's graph whose gradient the caller
     * collects; the copies may be attached to {@code passManager}. Null: the pass uses each
     * parameter itself, cast where it is used.
     */
    Map<NDArray, NDArray> forPass(DataType dtype, NDManager passManager);
  }

  /**
   * Sets (or, with null, removes) the source of per-pass weights used while gradients are recorded:
   * training's flat parameter buffer casts all weights in one op instead of one cast (three native
   * calls and a kernel) per weight and use, and at float32 gives the gradient back with the pass
   * instead of keeping one per parameter.
   */
  public void setPassWeights(PassWeights passWeights) {
    this.passWeights = passWeights;
  }

  @Override
  public NDArray roundSigma(NDArray sigma) {
    return sigma;
  }

  /**
   * Reduced-precision execution of the model on the GPU (default: fp16 if {@code use_fp16}).
   *
   * @throws UnsupportedOperationException for bf16: DJL 0.36's PyTorch JNI maps only float32,
   *     float64, float16 and the integer types to torch dtypes, and aborts the process (an uncaught
   *     C++ {@code throw;}) on any bfloat16 tensor, so it is refused here instead.
   */
  public void setPrecision(Precision precision) {
    if (precision == Precision.BF16) {
      throw new UnsupportedOperationException(
          "precision bf16: the DJL 0.36 PyTorch JNI has no bfloat16 tensors (it aborts the process"
              + " on one); use fp16, the reference's use_fp16");
    }
    this.precision = precision;
  }

  public Precision precision() {
    return precision;
  }

  /**
   * Drops the cached reduced-precision copies of the weights; call after changing parameter values
   * in place outside autograd (an optimizer step, an EMA update) when running at fp16/bf16.
   */
  public void parametersUpdated() {
    cache.values().forEach(NDArray::close);
    cache.clear();
  }

  /** Trainable tensors in the reference's {@code named_parameters()} order and naming. */
  public LinkedHashMap<String, NDArray> parameters() {
    synchronized (parametersLock) {
      return new LinkedHashMap<>(currentParameters());
    }
  }

  /**
   * The arrays of {@link #parameters()} in the same order, as an unmodifiable list that is not
   * copied (for loops that run every training step).
   */
  public List<NDArray> parameterArrays() {
    synchronized (parametersLock) {
      currentParameters();
      return parameterArrays;
    }
  }

  private LinkedHashMap<String, NDArray> currentParameters() {
    long version = structureVersion();
    if (parametersAt != version) {
      LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
      namedParameters("", out);
      parameters = out;
      parameterArrays = List.copyOf(out.values());
      parametersAt = version;
    }
    return parameters;
  }

  /** Non-trainable state (resample filters, Fourier frequencies, iDDPM's {@code u}). */
  public LinkedHashMap<String, NDArray> buffers() {
    LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
    namedBuffers("", out);
    return out;
  }

  /** The reference's {@code state_dict()}: keys and order as torch writes them. */
  public LinkedHashMap<String, NDArray> stateDict() {
    LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
    stateDict("", out);
    return out;
  }

  /**
   * Replaces every tensor by the one of {@code state} with the same key (converted to float32 and
   * this network's device; the given arrays are not kept). Strict: a missing or extra key or a
   * shape mismatch is an error that names the key.
   */
  public void loadStateDict(Map<String, NDArray> state) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    state.forEach((k, v) -> shapes.put(k, v.getShape()));
    loadStateDict(shapes, state::get);
  }

  /**
   * Checks that {@code shapes} (state-dict key to shape) fits this network exactly: the same keys
   * and shapes. The error names the first key that does not fit.
   */
  public void checkStateDict(Map<String, Shape> shapes) {
    LinkedHashMap<String, NDArray> own = stateDict();
    for (String k : shapes.keySet()) {
      if (!own.containsKey(k)) {
        throw new IllegalArgumentException(
            "state dict key '" + k + "' does not exist in " + describe());
      }
    }
    for (Map.Entry<String, NDArray> e : own.entrySet()) {
      Shape s = shapes.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException(
            "state dict lacks key '" + e.getKey() + "' required by " + describe());
      }
      if (!s.equals(e.getValue().getShape())) {
        throw new IllegalArgumentException(
            "state dict key '"
                + e.getKey()
                + "' has shape "
                + s
                + ", expected "
                + e.getValue().getShape());
      }
    }
  }

  /**
   * Loads a state dict one tensor at a time (peak memory: the network plus one tensor): checks
   * {@code shapes} first (nothing changes if it does not fit), then asks {@code fetch} for each key
   * and copies it (as float32, on this network's device). The fetched arrays stay the caller's.
   */
  public void loadStateDict(
      Map<String, Shape> shapes, java.util.function.Function<String, NDArray> fetch) {
    checkStateDict(shapes);
    for (Map.Entry<String, NDArray> e : stateDict().entrySet()) {
      NDArray old = e.getValue();
      // duplicate(): a real copy. Arrays made from a Java buffer may alias its memory, and torch's
      // to() is a no-op when device and dtype already match.
      NDArray v;
      try (NDManager tmp = manager.newSubManager()) {
        NDArray src = fetch.apply(e.getKey());
        src.tempAttach(tmp);
        v = src.toDevice(old.getDevice(), false).toType(DataType.FLOAT32, false).duplicate();
        v.attach(manager);
      }
      replace(e.getKey(), v);
      old.close();
    }
    parametersUpdated();
    stateLoaded();
  }

  /** Hook after loading (iDDPM re-reads sigma range from the loaded {@code u}). */
  protected void stateLoaded() {}

  /** Total number of trainable scalars. */
  public long parameterCount() {
    long n = 0;
    for (NDArray p : parameters().values()) {
      n += p.size();
    }
    return n;
  }

  /**
   * {@code class_name} (as the reference's persistence records it, e.g. {@code EDMPrecond}), {@code
   * init_args} (always empty) and {@code init_kwargs}: enough to rebuild this network with {@link
   * #create}. JSON-able (sigma_max may be Infinity).
   */
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("class_name", className);
    c.put("init_args", java.util.List.of());
    c.put("init_kwargs", new LinkedHashMap<>(initKwargs));
    return c;
  }

  /** The constructor keyword arguments this network was built from. */
  public Map<String, Object> initKwargs() {
    return initKwargs;
  }

  /** Reference class name without module path ({@code EDMPrecond}, ...). */
  public String className() {
    return className;
  }

  public UNet model() {
    return model;
  }

  public boolean useFp16() {
    return useFp16;
  }

  public int augmentDim() {
    return model.augmentDim;
  }

  /** The manager that owns this network's tensors. */
  public NDManager manager() {
    return manager;
  }

  @Override
  public int imgResolution() {
    return imgResolution;
  }

  @Override
  public int imgChannels() {
    return imgChannels;
  }

  @Override
  public int labelDim() {
    return labelDim;
  }

  /**
   * One line: precond, architecture, resolution, channels, labels, augment dim, parameter count.
   */
  public String describe() {
    return String.format(
        "%s(%s, %dx%d, %d channels, label_dim %d, augment_dim %d, %,d parameters)",
        className,
        model.referenceName(),
        imgResolution,
        imgResolution,
        imgChannels,
        labelDim,
        augmentDim(),
        parameterCount());
  }

  @Override
  public void close() {
    cache.clear();
    manager.close();
  }
}
