// Keras' 2-D convolution and pooling layers. Keras images are channels-last [N, H, W, C]; the core
// windows work on [N, C, H, W], so the layers transpose around them and compute TensorFlow's
// "valid"/"same" geometry (for "same", the extra padding of an odd total goes after the image).
import type { Tensor } from "../../../tensor/tensor.js";
import { fmtShape } from "../../../tensor/shape.js";
import { ShapeError, ValueError } from "../../../tensor/errors.js";
import { add, div, im2col, matmul, max, mean, permute, reshape, sum, ones } from "../../../ops/api.js";
import type { WindowAttrs } from "../../../ops/conv.js";
import type { Variable } from "../../variable.js";
import { Layer, type LayerArgs } from "../layer.js";
import { getActivation, type ActivationFn, type ActivationLike } from "../activations.js";
import type { InitializerLike } from "../initializers.js";
import type { RegularizerLike } from "../regularizers.js";

export type Padding = "valid" | "same";
export type DataFormat = "channels_last" | "channels_first";

function pair(op: string, what: string, v: number | readonly number[]): [number, number] {
  const p = typeof v === "number" ? [v, v] : v.length === 1 ? [v[0], v[0]] : v.slice();
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x <= 0)) {
    throw new ValueError(`${op}: the \`${what}\` argument must be a positive integer or a list of 2 positive integers, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

function checkPadding(op: string, p: string): Padding {
  const s = p.toLowerCase();
  if (s !== "valid" && s !== "same") throw new ValueError(`${op}: the \`padding\` argument must be "valid" or "same", got "${p}"`);
  return s;
}

/** TensorFlow's output size and padding before the image, along one axis. */
function axisGeometry(size: number, k: number, s: number, d: number, padding: Padding): { out: number; lo: number } {
  const eff = (k - 1) * d + 1;
  if (padding === "valid") return { out: Math.max(0, Math.floor((size - eff) / s) + 1), lo: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + eff - size, 0);
  return { out, lo: Math.floor(total / 2) };
}

function windowFor(h: number, w: number, k: [number, number], s: [number, number], d: [number, number], padding: Padding): WindowAttrs {
  const gh = axisGeometry(h, k[0], s[0], d[0], padding);
  const gw = axisGeometry(w, k[1], s[1], d[1], padding);
  return { kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: gh.lo, pw: gw.lo, dh: d[0], dw: d[1], h, w, oh: gh.out, ow: gw.out };
}

/** [N, H, W, C] (or [N, C, H, W]) → [N, C, H, W]. */
function toNCHW(layer: Layer, x: Tensor, format: DataFormat): Tensor {
  if (x.ndim !== 4) {
    throw new ShapeError(`Input 0 of layer "${layer.name}" is incompatible with the layer: expected ndim=4, found ndim=${x.ndim}. Full shape received: ${fmtShape(x.shape)}`);
  }
  return format === "channels_last" ? permute(x, [0, 3, 1, 2]) : x;
}

const fromNCHW = (y: Tensor, format: DataFormat): Tensor => (format === "channels_last" ? permute(y, [0, 2, 3, 1]) : y);

export interface Conv2DArgs extends LayerArgs {
  strides?: number | readonly number[];
  padding?: Padding;
  dataFormat?: DataFormat;
  dilationRate?: number | readonly number[];
  activation?: ActivationLike;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
}

/**
 * 2-D convolution over channels-last images, kernel of shape [kh, kw, inChannels, filters]
 * (Keras' layout), glorot_uniform kernel and zeros bias.
 * @example new tf.keras.layers.Conv2D(16, 3, { padding: "same", activation: "relu" })
 */
export class Conv2D extends Layer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  private readonly init: { kernel: InitializerLike; bias: InitializerLike; kernelReg: RegularizerLike; biasReg: RegularizerLike };

  constructor(filters: number, kernelSize: number | readonly number[], args: Conv2DArgs = {}) {
    super(args);
    if (!Number.isInteger(filters) || filters <= 0) throw new ValueError(`Conv2D: filters must be a positive integer, got ${filters}`);
    this.filters = filters;
    this.kernelSize = pair("Conv2D", "kernel_size", kernelSize);
    this.strides = pair("Conv2D", "strides", args.strides ?? 1);
    this.dilationRate = pair("Conv2D", "dilation_rate", args.dilationRate ?? 1);
    this.padding = checkPadding("Conv2D", args.padding ?? "valid");
    this.dataFormat = args.dataFormat ?? "channels_last";
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.init = { kernel: args.kernelInitializer ?? "glorot_uniform", bias: args.biasInitializer ?? "zeros", kernelReg: args.kernelRegularizer, biasReg: args.biasRegularizer };
  }

  override build(inputShape: readonly (number | null)[]): void {
    if (!inputShape || inputShape.length !== 4) {
      throw new ShapeError(`Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=4, found ndim=${inputShape?.length ?? 0}`);
    }
    const cin = this.dataFormat === "channels_last" ? inputShape[3] : inputShape[1];
    if (cin === null) throw new ValueError(`${this.name}: the channel dimension of the inputs should be defined. Found None.`);
    this.kernel = this.addWeight({ name: "kernel", shape: [...this.kernelSize, cin, this.filters], initializer: this.init.kernel, regularizer: this.init.kernelReg });
    if (this.useBias) this.bias = this.addWeight({ name: "bias", shape: [this.filters], initializer: this.init.bias, regularizer: this.init.biasReg });
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    const kernel = this.kernel!;
    const x = toNCHW(this, inputs, this.dataFormat);
    const [n, c, h, w] = x.shape;
    const cin = kernel.shape[2];
    if (c !== cin) {
      throw new ShapeError(`Input 0 of layer "${this.name}" is incompatible with the layer: expected axis ${this.dataFormat === "channels_last" ? -1 : 1} of input shape to have value ${cin} (kernel shape ${fmtShape(kernel.shape)}), but received input with shape ${fmtShape(inputs.shape)}`);
    }
    const win = windowFor(h, w, this.kernelSize, this.strides, this.dilationRate, this.padding);
    if (win.oh <= 0 || win.ow <= 0) {
      throw new ShapeError(`${this.name}: the kernel ${this.kernelSize.join("x")} does not fit the input of shape ${fmtShape(inputs.shape)} with padding "${this.padding}"`);
    }
    const cols = im2col(x, win, 0); // [N, C·kh·kw, L], rows ordered (c, i, j)
    const wmat = reshape(permute(kernel, [3, 2, 0, 1]), [this.filters, cin * this.kernelSize[0] * this.kernelSize[1]]);
    let y = reshape(matmul(wmat, cols), [n, this.filters, win.oh, win.ow]);
    y = fromNCHW(y, this.dataFormat);
    if (this.bias) y = add(y, this.dataFormat === "channels_last" ? this.bias : reshape(this.bias, [this.filters, 1, 1]));
    return this.activation(y);
  }
}

export interface Pooling2DArgs extends LayerArgs {
  /** Window stride; defaults to the pool size. */
  strides?: number | readonly number[] | null;
  padding?: Padding;
  dataFormat?: DataFormat;
}

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;

  constructor(op: string, poolSize: number | readonly number[], args: Pooling2DArgs) {
    super(args);
    this.poolSize = pair(op, "pool_size", poolSize);
    this.strides = pair(op, "strides", args.strides ?? this.poolSize);
    this.padding = checkPadding(op, args.padding ?? "valid");
    this.dataFormat = args.dataFormat ?? "channels_last";
  }

  protected abstract reduce(x: Tensor, win: WindowAttrs): Tensor;

  override call(inputs: Tensor): Tensor {
    const x = toNCHW(this, inputs, this.dataFormat);
    const [n, c, h, w] = x.shape;
    const win = windowFor(h, w, this.poolSize, this.strides, [1, 1], this.padding);
    if (win.oh <= 0 || win.ow <= 0) {
      throw new ShapeError(`${this.name}: the pool ${this.poolSize.join("x")} does not fit the input of shape ${fmtShape(inputs.shape)} with padding "${this.padding}"`);
    }
    const y = reshape(this.reduce(x, win), [n, c, win.oh, win.ow]);
    return fromNCHW(y, this.dataFormat);
  }
}

/** The maximum of each window (padding never wins). */
export class MaxPooling2D extends Pooling2D {
  constructor(poolSize: number | readonly number[] = 2, args: Pooling2DArgs = {}) {
    super("MaxPooling2D", poolSize, args);
  }
  protected reduce(x: Tensor, win: WindowAttrs): Tensor {
    const [n, c] = x.shape;
    const cols = reshape(im2col(x, win, -Infinity), [n, c, win.kh * win.kw, win.oh * win.ow]);
    return max(cols, 2).values;
  }
}

/** The mean of each window; with "same" padding, of the window's taps inside the image (as TF). */
export class AveragePooling2D extends Pooling2D {
  constructor(poolSize: number | readonly number[] = 2, args: Pooling2DArgs = {}) {
    super("AveragePooling2D", poolSize, args);
  }
  protected reduce(x: Tensor, win: WindowAttrs): Tensor {
    const [n, c] = x.shape;
    const kk = win.kh * win.kw;
    const sums = sum(reshape(im2col(x, win, 0), [n, c, kk, win.oh * win.ow]), 2);
    const counts = sum(im2col(ones([1, 1, win.h, win.w], { dtype: x.dtype }), win, 0), [0, 1]); // taps inside, per window
    return div(sums, counts);
  }
}

/** The mean over the spatial axes: [N, H, W, C] → [N, C] (`keepdims` keeps [N, 1, 1, C]). */
export class GlobalAveragePooling2D extends Layer {
  readonly dataFormat: DataFormat;
  readonly keepdims: boolean;
  constructor(args: LayerArgs & { dataFormat?: DataFormat; keepdims?: boolean } = {}) {
    super(args);
    this.dataFormat = args.dataFormat ?? "channels_last";
    this.keepdims = args.keepdims ?? false;
  }
  override call(inputs: Tensor): Tensor {
    if (inputs.ndim !== 4) {
      throw new ShapeError(`Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=4, found ndim=${inputs.ndim}. Full shape received: ${fmtShape(inputs.shape)}`);
    }
    return mean(inputs, this.dataFormat === "channels_last" ? [1, 2] : [2, 3], this.keepdims);
  }
}

/** The maximum over the spatial axes: [N, H, W, C] → [N, C]. */
export class GlobalMaxPooling2D extends Layer {
  readonly dataFormat: DataFormat;
  constructor(args: LayerArgs & { dataFormat?: DataFormat } = {}) {
    super(args);
    this.dataFormat = args.dataFormat ?? "channels_last";
  }
  override call(inputs: Tensor): Tensor {
    const x = toNCHW(this, inputs, this.dataFormat);
    const [n, c] = x.shape;
    return max(reshape(x, [n, c, -1]), 2).values;
  }
}
