package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The reference's {@code weight_init}: xavier/kaiming, uniform/normal, scaled by {@code
 * init_weight} or {@code init_bias}. Draws come from DJL's (i.e. torch's) global generator, in the
 * same order and shapes as the reference, so a network built after {@code
 * Engine.getInstance().setRandomSeed(s)} starts from the reference's {@code torch.manual_seed(s)}
 * initial weights.
 */
public enum WeightInit {
  XAVIER_UNIFORM("xavier_uniform"),
  XAVIER_NORMAL("xavier_normal"),
  KAIMING_UNIFORM("kaiming_uniform"),
  KAIMING_NORMAL("kaiming_normal");

  private final String referenceName;

  WeightInit(String referenceName) {
    this.referenceName = referenceName;
  }

  public String referenceName() {
    return referenceName;
  }

  public static WeightInit of(String name) {
    for (WeightInit w : values()) {
      if (w.referenceName.equals(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "init_mode: invalid init mode \""
            + name
            + "\" (expected xavier_uniform, xavier_normal,"
            + " kaiming_uniform or kaiming_normal)");
  }

  /**
   * {@code weight_init(shape, mode, fan_in, fan_out) * gain}, float32, on {@code m}'s device. Drawn
   * on the CPU generator whatever the device, as the reference builds networks on the CPU and then
   * moves them: a seeded network is the same on every device.
   */
  public NDArray draw(NDManager m, Shape shape, long fanIn, long fanOut, double gain) {
    if (SKIP.get()) {
      return m.zeros(shape);
    }
    if (!m.getDevice().equals(ai.djl.Device.cpu())) {
      try (NDManager cpu = NDManager.newBaseManager(ai.djl.Device.cpu())) {
        NDArray c = draw(cpu, shape, fanIn, fanOut, gain);
        NDArray r = c.toDevice(m.getDevice(), true);
        r.attach(m);
        return r;
      }
    }
    NDArray r;
    switch (this) {
      case XAVIER_UNIFORM:
        r = uniformPm1(m, shape).muli((float) Math.sqrt(6.0 / (fanIn + fanOut)));
        break;
      case XAVIER_NORMAL:
        r = m.randomNormal(shape).muli((float) Math.sqrt(2.0 / (fanIn + fanOut)));
        break;
      case KAIMING_UNIFORM:
        r = uniformPm1(m, shape).muli((float) Math.sqrt(3.0 / fanIn));
        break;
      default:
        r = m.randomNormal(shape).muli((float) Math.sqrt(1.0 / fanIn));
        break;
    }
    return r.muli((float) gain);
  }

  private static final ThreadLocal<Boolean> SKIP = ThreadLocal.withInitial(() -> false);

  /**
   * Runs {@code build} with weight draws replaced by zeros: for networks whose weights are loaded
   * right after. Like the reference's unpickling (which never calls {@code __init__}), this leaves
   * the global generator untouched, and it saves the time of drawing.
   */
  public static <T> T withoutDrawing(java.util.function.Supplier<T> build) {
    boolean before = SKIP.get();
    SKIP.set(true);
    try {
      return build.get();
    } finally {
      SKIP.set(before);
    }
  }

  /** True inside {@link #withoutDrawing}. */
  public static boolean skipping() {
    return SKIP.get();
  }

  /** {@code torch.rand(shape) * 2 - 1}. */
  private static NDArray uniformPm1(NDManager m, Shape shape) {
    return m.randomUniform(0f, 1f, shape).muli(2f).subi(1f);
  }

  /** Initialisation settings of one layer: the reference's {@code init} dicts. */
  public static final class Spec {
    public final WeightInit mode;
    public final double weight;
    public final double bias;

    public Spec(WeightInit mode, double weight, double bias) {
      this.mode = mode;
      this.weight = weight;
      this.bias = bias;
    }

    public static Spec of(WeightInit mode) {
      return new Spec(mode, 1, 0);
    }
  }
}
