// Weight initialisers with PyTorch's fan and gain computations (torch.nn.init). They fill a tensor
// in place, outside autograd, drawing from the torch-side generator unless given another, so that
// after the same seed they produce PyTorch's numbers. Framework-neutral: the Keras side can build
// its Glorot/He initialisers on the fan helpers here.
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../tensor/errors.js";
import { fmtShape } from "../tensor/shape.js";
import { noGrad } from "../autograd/grad_mode.js";
import { warn } from "../ops/warn.js";
import { normal_ as fillNormal, uniform_ as fillUniform } from "../tensor/random_ops.js";
import type { TorchGenerator } from "../tensor/random/torch_generator.js";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export type FanMode = "fan_in" | "fan_out";

/**
 * The gain PyTorch recommends for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for
 * relu, √(2 / (1 + slope²)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
 * @example calculateGain("leaky_relu", Math.sqrt(5)); // √(1/3)
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      if (param !== undefined && param !== null && (typeof param !== "number" || !Number.isFinite(param))) {
        throw new ValueError(`calculateGain: negative_slope ${String(param)} is not a valid number`);
      }
      const slope = param ?? 0.01;
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case "selu":
      return 3.0 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/**
 * Fan-in and fan-out of a weight shape. PyTorch's layout (the default) puts outputs first: dim 1
 * and dim 0 times the receptive field (the product of the dims after the first two), so a Linear
 * weight [out, in] has fan-in `in` and a Conv2d weight [out, in/groups, kh, kw] has fan-in
 * `in/groups · kh · kw`. Keras' layout puts them last: a Dense kernel [in, out], a Conv2D kernel
 * [kh, kw, in, out] (receptive field = the dims before the last two); Keras also accepts 0-D and
 * 1-D shapes.
 * @example calculateFanInAndFanOut([16, 3, 5, 5]); // { fanIn: 75, fanOut: 400 }
 * @example calculateFanInAndFanOut([5, 5, 3, 16], "keras"); // { fanIn: 75, fanOut: 400 }
 */
export function calculateFanInAndFanOut(shape: readonly number[], layout: "torch" | "keras" = "torch"): { fanIn: number; fanOut: number } {
  if (layout === "keras") {
    if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
    if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
    let rf = 1;
    for (let d = 0; d < shape.length - 2; d++) rf *= shape[d];
    return { fanIn: shape[shape.length - 2] * rf, fanOut: shape[shape.length - 1] * rf };
  }
  if (shape.length < 2) {
    throw new ValueError(`calculateFanInAndFanOut: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${fmtShape(shape)})`);
  }
  let receptive = 1;
  for (let d = 2; d < shape.length; d++) receptive *= shape[d];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function correctFan(t: Tensor, mode: FanMode): number {
  if (mode !== "fan_in" && mode !== "fan_out") throw new ValueError(`init: mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t.shape);
  return mode === "fan_in" ? fanIn : fanOut;
}

/** PyTorch skips (with a warning) the fan-based initialisers of a tensor with a zero-size dim. */
function isEmpty(op: string, t: Tensor): boolean {
  if (!t.shape.includes(0)) return false;
  warn(`${op}: initializing zero-element tensors is a no-op (shape ${fmtShape(t.shape)})`);
  return true;
}

/** Fills `t` with U(a, b). @example uniform_(w, -0.1, 0.1) */
export function uniform_(t: Tensor, a = 0, b = 1, generator?: TorchGenerator): Tensor {
  return noGrad(() => fillUniform(t, a, b, generator));
}

/** Fills `t` with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, generator?: TorchGenerator): Tensor {
  return noGrad(() => fillNormal(t, mean, std, generator));
}

/** Fills `t` with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

/** Fills `t` with zeros. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills `t` with ones. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * Glorot/Xavier uniform: U(−a, a) with a = gain · √(6 / (fanIn + fanOut)).
 * @example xavierUniform_(w, calculateGain("tanh"))
 */
export function xavierUniform_(t: Tensor, gain = 1.0, generator?: TorchGenerator): Tensor {
  const a = Math.sqrt(3.0) * xavierStd(t, gain);
  return uniform_(t, -a, a, generator);
}

/** Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1.0, generator?: TorchGenerator): Tensor {
  return normal_(t, 0, xavierStd(t, gain), generator);
}

/** Glorot's std = gain · √(2 / (fanIn + fanOut)); the uniform bound is √3 times it. */
function xavierStd(t: Tensor, gain: number): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t.shape);
  return gain * Math.sqrt(2.0 / (fanIn + fanOut));
}

/** Options of the Kaiming (He) initialisers; the defaults are PyTorch's. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only); 0. */
  a?: number;
  /** "fan_in" (the default) keeps the forward variance, "fan_out" the backward one. */
  mode?: FanMode;
  /** "leaky_relu" by default. */
  nonlinearity?: Nonlinearity;
  generator?: TorchGenerator;
}

/**
 * Kaiming/He uniform: U(−bound, bound) with bound = √3 · gain / √fan. nn.Linear and nn.Conv use it
 * with `a = √5`, which gives bound = 1/√fanIn.
 * @example kaimingUniform_(w, { a: Math.sqrt(5) })
 */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  if (isEmpty("kaimingUniform_", t)) return t;
  const bound = Math.sqrt(3.0) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts.generator);
}

/**
 * Kaiming/He normal: N(0, std²) with std = gain / √fan.
 * @example kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" })
 */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  if (isEmpty("kaimingNormal_", t)) return t;
  return normal_(t, 0, kaimingStd(t, opts), opts.generator);
}

/** Kaiming's std = gain / √fan (fan by `mode`, gain by `nonlinearity` and `a`). */
function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const fan = correctFan(t, opts.mode ?? "fan_in");
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  return gain / Math.sqrt(fan);
}
