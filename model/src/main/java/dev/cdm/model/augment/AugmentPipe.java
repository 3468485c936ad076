package dev.cdm.model.augment;

import static dev.cdm.model.nn.HostScalars.*;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.cdm.model.loss.RandomSource;
import dev.cdm.model.torch.FusedKernels;

/**
 * The reference's non-leaking augmentation pipe (EDM's {@code AugmentPipe}, after ADA): pixel
 * blitting (x-flip, y-flip) and the geometric group (isotropic scale, fractional rotation,
 * anisotropic scale, fractional translation), each applied with probability {@code p} times its
 * multiplier, and the 9-dimensional augment labels in the reference's order [xflip, yflip, scale,
 * cos(rot)−1, sin(rot), aniso·cos r, aniso·sin r, tx, ty] that condition the network so that
 * augmentations do not leak into generated images.
 *
 * <p>The geometric transform is executed as the reference does: reflect-pad, 2× upsample with the
 * sym6 wavelet low-pass, bilinear resampling of the inverse affine map (torch's affine_grid +
 * grid_sample with zero padding, align_corners=False, composed here from gathers since DJL has no
 * grid_sample), then low-pass 2× downsample and crop. Random draws are made in the reference's
 * order so that a replayed stream reproduces it. The colour transforms and integer
 * rotation/translation of the reference class are not used by any of its training configurations
 * and are not ported.
 */
public final class AugmentPipe implements Augmentation {
  /** sym6 wavelet low-pass coefficients (the reference's {@code wavelets['sym6']}). */
  static final float[] SYM6 = {
    0.015404109327027373f, 0.0034907120842174702f, -0.11799011114819057f, -0.048311742585633f,
    0.4910559419267466f, 0.787641141030194f, 0.3379294217276218f, -0.07263752278646252f,
    -0.021060292512300564f, 0.04472490177066578f, 0.0017677118642428036f, -0.007800708325034148f
  };

  private final double p;
  private final double xflip;
  private final double yflip;
  private final double scale;
  private final double rotateFrac;
  private final double aniso;
  private final double translateFrac;
  private final double scaleStd;
  private final double rotateFracMax;
  private final double anisoStd;
  private final double anisoRotateProb;
  private final double translateFracStd;

  private AugmentPipe(Builder b) {
    this.p = b.p;
    this.xflip = b.xflip;
    this.yflip = b.yflip;
    this.scale = b.scale;
    this.rotateFrac = b.rotateFrac;
    this.aniso = b.aniso;
    this.translateFrac = b.translateFrac;
    this.scaleStd = b.scaleStd;
    this.rotateFracMax = b.rotateFracMax;
    this.anisoStd = b.anisoStd;
    this.anisoRotateProb = b.anisoRotateProb;
    this.translateFracStd = b.translateFracStd;
  }

  /** All augmentations off; multipliers set individually like the reference's constructor. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The training configuration of {@code train.py --augment=P}: xflip=1e8, yflip=1, scale=1,
   * rotate_frac=1, aniso=1, translate_frac=1 (x-flips at probability 1/2 whenever p > 0).
   */
  public static AugmentPipe training(double p) {
    return builder()
        .p(p)
        .xflip(1e8)
        .yflip(1)
        .scale(1)
        .rotateFrac(1)
        .aniso(1)
        .translateFrac(1)
        .build();
  }

  /** Number of augment labels this pipe produces (9 for the training configuration). */
  public int labelDim() {
    return (xflip > 0 ? 1 : 0)
        + (yflip > 0 ? 1 : 0)
        + (scale > 0 ? 1 : 0)
        + (rotateFrac > 0 ? 2 : 0)
        + (aniso > 0 ? 2 : 0)
        + (translateFrac > 0 ? 2 : 0);
  }

  public double p() {
    return p;
  }

  @Override
  public Augmented apply(NDArray images, RandomSource random) {
    // The per-image parameters are drawn and combined on the host (they are a few numbers per
    // image; on a GPU this avoids a device round trip per draw); pixels stay on the device.
    // The intermediates (padded, upsampled, resampled copies of the batch) live on a scope of
    // their own, freed on return as PyTorch frees them by reference counting; otherwise they
    // would stay on the caller's manager through the forward and backward passes.
    NDManager owner = images.getManager();
    try (NDManager host = owner.newSubManager(Device.cpu());
        NDManager scope = owner.newSubManager()) {
      images.tempAttach(scope);
      Augmented out = apply(images, random, host);
      if (out.images() != images) {
        out.images().attach(owner);
      }
      out.labels().attach(owner);
      return out;
    }
  }

  private Augmented apply(NDArray images, RandomSource random, NDManager host) {
    NDManager m = images.getManager();
    Shape shape = images.getShape();
    int n = (int) shape.get(0);
    int c = (int) shape.get(1);
    int h = (int) shape.get(2);
    int w = (int) shape.get(3);
    NDList labels = new NDList();
    Shape col = new Shape(n, 1, 1, 1);

    // Pixel blitting: both flip choices are drawn on the host and uploaded together.
    NDArray fx = xflip > 0 ? flipChoice(host, random, col, xflip * p) : null;
    NDArray fy = yflip > 0 ? flipChoice(host, random, col, yflip * p) : null;
    if (fx != null || fy != null) {
      NDArray both =
          toManager(fx != null && fy != null ? fx.concat(fy, 0) : fx != null ? fx : fy, images);
      if (fx != null) {
        images = select(both.get(new NDIndex("0:{}", n)), images.flip(3), images);
        labels.add(fx.reshape(n, 1));
      }
      if (fy != null) {
        images = select(both.get(new NDIndex("{}:", fx != null ? n : 0)), images.flip(2), images);
        labels.add(fy.reshape(n, 1));
      }
    }

    // Parameters of the geometric transformations: the inverse map G_inv per sample, kept on the
    // host in float32 (it is 3x3 per image), built in the reference's multiplication order.
    boolean geometric = scale > 0 || rotateFrac > 0 || aniso > 0 || translateFrac > 0;
    float[][] gInv = new float[n][];
    for (int i = 0; i < n; i++) {
      gInv[i] = identity();
    }
    Shape row = new Shape(n);
    if (scale > 0) {
      float[] v =
          gated(
              random.randn(host, row, DataType.FLOAT32),
              random.rand(host, row, DataType.FLOAT32),
              scale * p);
      for (int i = 0; i < n; i++) {
        float s = (float) Math.pow(2, v[i] * scaleStd);
        gInv[i] = mm(gInv[i], scaleMat(1 / s, 1 / s));
      }
      labels.add(host.create(v, new Shape(n, 1)));
    }
    if (rotateFrac > 0) {
      float[] u = random.rand(host, row, DataType.FLOAT32).toFloatArray();
      float[] g = random.rand(host, row, DataType.FLOAT32).toFloatArray();
      float[] cos = new float[n];
      float[] sin = new float[n];
      for (int i = 0; i < n; i++) {
        float a = (u[i] * 2 - 1) * (float) (Math.PI * rotateFracMax);
        if (!(g[i] < rotateFrac * p)) {
          a = 0;
        }
        gInv[i] = mm(gInv[i], rotate(a)); // rotate2d_inv(-w) = rotate2d(w)
        cos[i] = (float) Math.cos(a) - 1;
        sin[i] = (float) Math.sin(a);
      }
      labels.add(host.create(cos, new Shape(n, 1)));
      labels.add(host.create(sin, new Shape(n, 1)));
    }
    if (aniso > 0) {
      float[] v = random.randn(host, row, DataType.FLOAT32).toFloatArray();
      float[] ru = random.rand(host, row, DataType.FLOAT32).toFloatArray();
      float[] gw = random.rand(host, row, DataType.FLOAT32).toFloatArray();
      float[] gr = random.rand(host, row, DataType.FLOAT32).toFloatArray();
      float[] lc = new float[n];
      float[] ls = new float[n];
      for (int i = 0; i < n; i++) {
        float wv = gw[i] < aniso * p ? v[i] : 0f;
        float r = gr[i] < anisoRotateProb ? (ru[i] * 2 - 1) * (float) Math.PI : 0f;
        float s = (float) Math.pow(2, wv * anisoStd);
        gInv[i] = mm(mm(mm(gInv[i], rotate(-r)), scaleMat(1 / s, s)), rotate(r));
        lc[i] = wv * (float) Math.cos(r);
        ls[i] = wv * (float) Math.sin(r);
      }
      labels.add(host.create(lc, new Shape(n, 1)));
      labels.add(host.create(ls, new Shape(n, 1)));
    }
    if (translateFrac > 0) {
      float[] v = random.randn(host, new Shape(2, n), DataType.FLOAT32).toFloatArray();
      float[] g = random.rand(host, new Shape(1, n), DataType.FLOAT32).toFloatArray();
      float[] tx = new float[n];
      float[] ty = new float[n];
      for (int i = 0; i < n; i++) {
        boolean on = g[i] < translateFrac * p;
        tx[i] = on ? v[i] : 0f;
        ty[i] = on ? v[n + i] : 0f;
        gInv[i] =
            mm(
                gInv[i],
                translate(
                    -tx[i] * (float) (w * translateFracStd),
                    -ty[i] * (float) (h * translateFracStd)));
      }
      labels.add(host.create(tx, new Shape(n, 1)));
      labels.add(host.create(ty, new Shape(n, 1)));
    }

    if (geometric) {
      images = transform(images, gInv, n, c, h, w, host);
    }
    // The labels are assembled on the host and uploaded once.
    NDArray out =
        labels.isEmpty()
            ? m.zeros(new Shape(n, 0))
            : attached(toManager(NDArrays.concat(labels, 1), images), m);
    return new Augmented(images, out);
  }

  /** randint(2) kept where rand() &lt; prob, else 0, as float32 0/1 [N,1,1,1]. */
  private static NDArray flipChoice(NDManager m, RandomSource random, Shape col, double prob) {
    NDArray bit = random.randint(m, 2, col).toType(DataType.FLOAT32, false);
    NDArray gate = lt(random.rand(m, col, DataType.FLOAT32), prob);
    return bit.mul(gate.toType(DataType.FLOAT32, false));
  }

  /**
   * A copy of a host array on {@code like}'s device, owned by {@code like}'s manager and by
   * libtorch (see {@link FusedKernels#upload}: on a GPU it does not wait for the device).
   */
  private static NDArray toManager(NDArray hostArray, NDArray like) {
    return attached(FusedKernels.upload(hostArray, like), like.getManager());
  }

  private static NDArray attached(NDArray a, NDManager m) {
    a.attach(m);
    return a;
  }

  /** where(f == 1, a, b) for a 0/1 mask f broadcast over the image (exact for finite pixels). */
  private static NDArray select(NDArray f, NDArray a, NDArray b) {
    return a.mul(f).add(b.mul(rsub(1, f)));
  }

  private static float[] gated(NDArray value, NDArray gate, double prob) {
    float[] v = value.toFloatArray();
    float[] g = gate.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      if (!(g[i] < prob)) {
        v[i] = 0f;
      }
    }
    return v;
  }

  /** Executes the inverse affine maps: pad, upsample, resample, downsample, crop. */
  private static NDArray transform(
      NDArray images, float[][] gInv, int n, int c, int h, int w, NDManager host) {
    NDManager m = images.getManager();
    int hzPad = SYM6.length / 4;
    float cx = (w - 1) / 2f;
    float cy = (h - 1) / 2f;
    // Margins: how far the transformed corners reach beyond the image, over the whole batch.
    float[][] corners = {{-cx, -cy}, {cx, -cy}, {cx, cy}, {-cx, cy}};
    float[] margin = {
      Float.NEGATIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.NEGATIVE_INFINITY
    };
    for (float[] g : gInv) {
      for (float[] cp : corners) {
        float x = g[0] * cp[0] + g[1] * cp[1] + g[2];
        float y = g[3] * cp[0] + g[4] * cp[1] + g[5];
        margin[0] = Math.max(margin[0], -x);
        margin[1] = Math.max(margin[1], -y);
        margin[2] = Math.max(margin[2], x);
        margin[3] = Math.max(margin[3], y);
      }
    }
    int[] mg = new int[4];
    float[] lim = {w - 1, h - 1, w - 1, h - 1};
    float[] off = {hzPad * 2 - cx, hzPad * 2 - cy, hzPad * 2 - cx, hzPad * 2 - cy};
    for (int k = 0; k < 4; k++) {
      mg[k] = (int) Math.ceil(Math.min(Math.max(margin[k] + off[k], 0f), lim[k]));
    }
    int mx0 = mg[0];
    int my0 = mg[1];
    int mx1 = mg[2];
    int my1 = mg[3];

    // Reflect padding, as index gathers along each axis (both index vectors in one upload).
    long[] padX = reflectIndex(w, mx0, mx1);
    long[] padY = reflectIndex(h, my0, my1);
    long[] both = java.util.Arrays.copyOf(padX, padX.length + padY.length);
    System.arraycopy(padY, 0, both, padX.length, padY.length);
    NDArray idx = toManager(host.create(both), images); // sliced into views below
    images = images.get(new NDIndex(":, :, :, {}", idx.get(new NDIndex("0:{}", padX.length))));
    images = images.get(new NDIndex(":, :, {}", idx.get(new NDIndex("{}:", padX.length))));
    float[] pre = translate((mx0 - mx1) / 2f, (my0 - my1) / 2f);

    // 2x upsample: zero insertion, then the (reversed) low-pass filter along each axis.
    // The filters: reversed for the upsampling convolution, as is for the downsampling one.
    int taps = SYM6.length;
    float[] filters = new float[2 * taps];
    for (int k = 0; k < taps; k++) {
      filters[k] = SYM6[taps - 1 - k];
      filters[taps + k] = SYM6[k];
    }
    NDArray filt = toManager(host.create(filters), images); // sliced into views below
    NDArray rev = filt.get(new NDIndex("0:{}", taps));
    NDArray fwd = filt.get(new NDIndex("{}:", taps));
    int convPadUp = (taps + 1) / 2;
    NDArray wRow = rev.reshape(1, 1, 1, taps).tile(new long[] {c, 1, 1, 1});
    NDArray wCol = rev.reshape(1, 1, taps, 1).tile(new long[] {c, 1, 1, 1});
    long ph = images.getShape().get(2);
    long pw = images.getShape().get(3);
    images =
        images
            .expandDims(4)
            .concat(images.zerosLike().expandDims(4), 4)
            .reshape(n, c, ph, pw * 2)
            .get(new NDIndex(":, :, :, :-1"));
    images = conv(images, wRow, new Shape(1, 1), new Shape(0, convPadUp), c);
    images =
        images
            .expandDims(3)
            .concat(images.zerosLike().expandDims(3), 3)
            .reshape(n, c, ph * 2, images.getShape().get(3))
            .get(new NDIndex(":, :, :-1, :"));
    images = conv(images, wCol, new Shape(1, 1), new Shape(convPadUp, 0), c);
    long hin = images.getShape().get(2);
    long win = images.getShape().get(3);

    // The sampling grid: pixel coordinates in the upsampled image for every output pixel.
    int hout = (h + hzPad * 2) * 2;
    int wout = (w + hzPad * 2) * 2;
    float[] coef = new float[n * 6];
    for (int i = 0; i < n; i++) {
      float[] g = mm(pre, gInv[i]);
      g = mm(mm(scaleMat(2, 2), g), scaleMat(0.5f, 0.5f));
      g = mm(mm(translate(-0.5f, -0.5f), g), translate(0.5f, 0.5f));
      g = mm(mm(scaleMat(2f / win, 2f / hin), g), scaleMat(wout / 2f, hout / 2f));
      // affine_grid (align_corners=False) gives normalised coords; grid_sample maps them to
      // pixels as ((g + 1) * size - 1) / 2. Fold both into one affine map of (x_n, y_n).
      for (int r = 0; r < 2; r++) {
        float size = r == 0 ? win : hin;
        coef[i * 6 + r * 3] = g[r * 3] * size / 2;
        coef[i * 6 + r * 3 + 1] = g[r * 3 + 1] * size / 2;
        coef[i * 6 + r * 3 + 2] = (g[r * 3 + 2] + 1) * size / 2 - 0.5f;
      }
    }
    NDArray cf =
        toManager(host.create(coef, new Shape(n, 6, 1, 1)), images); // sliced into views below
    NDArray xs =
        sub(div(add(mul(m.arange(0, wout, 1, DataType.FLOAT32), 2), 1), wout), 1)
            .reshape(1, 1, wout);
    NDArray ys =
        sub(div(add(mul(m.arange(0, hout, 1, DataType.FLOAT32), 2), 1), hout), 1)
            .reshape(1, hout, 1);
    NDArray ix =
        cf.get(new NDIndex(":, 0"))
            .mul(xs)
            .add(cf.get(new NDIndex(":, 1")).mul(ys))
            .add(cf.get(new NDIndex(":, 2")));
    NDArray iy =
        cf.get(new NDIndex(":, 3"))
            .mul(xs)
            .add(cf.get(new NDIndex(":, 4")).mul(ys))
            .add(cf.get(new NDIndex(":, 5")));
    images = bilinear(images, ix, iy, n, c, hin, win, hout, wout);

    // Low-pass 2x downsample and crop back to H x W.
    int convPadDown = (SYM6.length - 1) / 2;
    NDArray dRow = fwd.reshape(1, 1, 1, taps).tile(new long[] {c, 1, 1, 1});
    NDArray dCol = fwd.reshape(1, 1, taps, 1).tile(new long[] {c, 1, 1, 1});
    images = conv(images, dRow, new Shape(1, 2), new Shape(0, convPadDown), c);
    images = images.get(new NDIndex(":, :, :, {}:{}", hzPad, images.getShape().get(3) - hzPad));
    images = conv(images, dCol, new Shape(2, 1), new Shape(convPadDown, 0), c);
    images = images.get(new NDIndex(":, :, {}:{}, :", hzPad, images.getShape().get(2) - hzPad));
    return images;
  }

  /**
   * torch's grid_sample(mode='bilinear', padding_mode='zeros') at pixel coordinates ix, iy
   * [N,Ho,Wo].
   */
  private static NDArray bilinear(
      NDArray images,
      NDArray ix,
      NDArray iy,
      int n,
      int c,
      long hin,
      long win,
      int hout,
      int wout) {
    NDArray flat = images.reshape(n, c, hin * win);
    NDArray x0 = ix.floor();
    NDArray y0 = iy.floor();
    NDArray fx = ix.sub(x0);
    NDArray fy = iy.sub(y0);
    NDArray out = null;
    for (int dy = 0; dy <= 1; dy++) {
      for (int dx = 0; dx <= 1; dx++) {
        NDArray xx = add(x0, dx);
        NDArray yy = add(y0, dy);
        NDArray wgt = (dx == 1 ? fx : rsub(1, fx)).mul(dy == 1 ? fy : rsub(1, fy));
        // In range iff clamping does not move the coordinate.
        NDArray xc = clip(xx, 0, win - 1);
        NDArray yc = clip(yy, 0, hin - 1);
        NDArray inside = xc.eq(xx).logicalAnd(yc.eq(yy));
        wgt = wgt.mul(inside.toType(DataType.FLOAT32, false));
        // The same pixel index for every channel: a broadcast view, not a copy per channel.
        NDArray idx =
            mul(yc, win)
                .add(xc)
                .toType(DataType.INT64, false)
                .reshape(n, 1, (long) hout * wout)
                .broadcast(new Shape(n, c, (long) hout * wout));
        NDArray v = flat.gather(idx, 2).mul(wgt.reshape(n, 1, (long) hout * wout));
        out = out == null ? v : out.add(v);
      }
    }
    return out.reshape(n, c, hout, wout);
  }

  private static NDArray conv(NDArray x, NDArray weight, Shape stride, Shape pad, int groups) {
    return Conv2d.conv2d(x, weight, null, stride, pad, new Shape(1, 1), groups).singletonOrThrow();
  }

  private static long[] reflectIndex(int size, int before, int after) {
    long[] idx = new long[size + before + after];
    for (int k = 0; k < idx.length; k++) {
      int i = k - before;
      if (i < 0) {
        i = -i;
      } else if (i >= size) {
        i = 2 * (size - 1) - i;
      }
      idx[k] = i;
    }
    return idx;
  }

  // 3x3 row-major affine matrices.
  private static float[] identity() {
    return new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
  }

  private static float[] translate(float tx, float ty) {
    return new float[] {1, 0, tx, 0, 1, ty, 0, 0, 1};
  }

  private static float[] scaleMat(float sx, float sy) {
    return new float[] {sx, 0, 0, 0, sy, 0, 0, 0, 1};
  }

  /** rotate2d(theta): [[cos, -sin], [sin, cos]]. */
  private static float[] rotate(float theta) {
    float cs = (float) Math.cos(theta);
    float sn = (float) Math.sin(theta);
    return new float[] {cs, -sn, 0, sn, cs, 0, 0, 0, 1};
  }

  private static float[] mm(float[] a, float[] b) {
    float[] r = new float[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        float s = 0;
        for (int k = 0; k < 3; k++) {
          s += a[i * 3 + k] * b[k * 3 + j];
        }
        r[i * 3 + j] = s;
      }
    }
    return r;
  }

  /** Probability multipliers and ranges, named as the reference's constructor arguments. */
  public static final class Builder {
    private double p = 1;
    private double xflip;
    private double yflip;
    private double scale;
    private double rotateFrac;
    private double aniso;
    private double translateFrac;
    private double scaleStd = 0.2;
    private double rotateFracMax = 1;
    private double anisoStd = 0.2;
    private double anisoRotateProb = 0.5;
    private double translateFracStd = 0.125;

    public Builder p(double v) {
      p = v;
      return this;
    }

    public Builder xflip(double v) {
      xflip = v;
      return this;
    }

    public Builder yflip(double v) {
      yflip = v;
      return this;
    }

    public Builder scale(double v) {
      scale = v;
      return this;
    }

    public Builder rotateFrac(double v) {
      rotateFrac = v;
      return this;
    }

    public Builder aniso(double v) {
      aniso = v;
      return this;
    }

    public Builder translateFrac(double v) {
      translateFrac = v;
      return this;
    }

    public Builder scaleStd(double v) {
      scaleStd = v;
      return this;
    }

    public Builder rotateFracMax(double v) {
      rotateFracMax = v;
      return this;
    }

    public Builder anisoStd(double v) {
      anisoStd = v;
      return this;
    }

    public Builder anisoRotateProb(double v) {
      anisoRotateProb = v;
      return this;
    }

    public Builder translateFracStd(double v) {
      translateFracStd = v;
      return this;
    }

    public AugmentPipe build() {
      if (p < 0 || p > 1) {
        throw new IllegalArgumentException("augment probability p must be in [0, 1], got " + p);
      }
      return new AugmentPipe(this);
    }
  }
}
