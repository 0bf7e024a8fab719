import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { fmtShape } from "../tensor/shape.js";
import { ShapeError, ValueError } from "../tensor/errors.js";
import { arange, ones, tensor } from "../tensor/creation.js";
import { apply } from "./apply.js";
import { requireFloat } from "./util.js";
import { div } from "./binary.js";
import { argmax, sum } from "./reduce.js";
import { expand, reshape, unsqueeze } from "./shape.js";
import { gather } from "./indexing.js";
import { matmul } from "./linalg.js";
import { tupleArg, type IntOrTuple, type WindowAttrs } from "./conv.js";
import { window2d } from "./window.js";

export interface MaxPoolOptions {
  kernelSize: IntOrTuple;
  /** Default: the kernel size. */
  stride?: IntOrTuple | null;
  /** Implicit -Infinity padding on both sides, at most half the kernel. Default 0. */
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  /** Count a last, partial window (PyTorch's ceil_mode). Default false. */
  ceilMode?: boolean;
  /** Also return the flat index (into H*W) of each maximum, as PyTorch's return_indices. */
  returnIndices?: boolean;
}

export interface AvgPoolOptions {
  kernelSize: IntOrTuple;
  stride?: IntOrTuple | null;
  /** Implicit zero padding on both sides, at most half the kernel. Default 0. */
  padding?: IntOrTuple;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor. Default true. */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

/** PyTorch's pooling output size: floor or ceil, and a last window must start inside the input or the left padding. */
function poolCount(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let n = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (n - 1) * s >= size + p) n--;
  return n;
}

interface PoolWindow {
  win: WindowAttrs;
  /** The input as [N, C, H, W] and how to give the output back the input's rank. */
  x4: Tensor;
  finish: (y: Tensor) => Tensor;
}

/** Validates a pooling call and lays the input out as [N, C, H, W] (1-D pooling: H = 1). */
function poolWindow(
  op: string,
  nd: 1 | 2,
  x: Tensor,
  o: { kernelSize: IntOrTuple; stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean },
): PoolWindow {
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new ShapeError(`${op}: expected ${nd + 1}D or ${nd + 2}D (batch mode) tensor for input, but got input of size: ${fmtShape(x.shape)}`);
  }
  requireFloat(op, x);
  const kernel = tupleArg(op, "kernel_size", o.kernelSize, nd, 1);
  const stride = o.stride === undefined || o.stride === null || (Array.isArray(o.stride) && o.stride.length === 0) ? kernel : tupleArg(op, "stride", o.stride, nd, 1);
  const pad = tupleArg(op, "padding", o.padding ?? 0, nd, 0);
  const dil = tupleArg(op, "dilation", o.dilation ?? 1, nd, 1);
  pad.forEach((p, i) => {
    if (p > Math.floor(kernel[i] / 2)) {
      throw new ValueError(`${op}: pad should be smaller than or equal to half of kernel size, but got padding=[${pad.join(", ")}], kernel_size=[${kernel.join(", ")}]`);
    }
  });
  const spatial = x.shape.slice(x.ndim - nd);
  const out = spatial.map((s, i) => poolCount(s, kernel[i], stride[i], pad[i], dil[i], o.ceilMode ?? false));
  const channels = x.shape.slice(0, x.ndim - nd);
  if (out.some((n) => n < 1) || x.shape.slice(x.ndim - nd - 1).some((n) => n === 0)) {
    throw new ShapeError(`${op}: Given input size: (${x.shape.join("x")}). Calculated output size: (${[...channels.slice(-1), ...out].join("x")}). Output size is too small`);
  }
  const batched = x.ndim === nd + 2;
  const xb = batched ? x : unsqueeze(x, 0);
  const x4 = nd === 2 ? xb : unsqueeze(xb, 2);
  const outShape = [...x.shape.slice(0, x.ndim - nd), ...out];
  return { win: window2d(nd, spatial, kernel, stride, pad, dil, out), x4, finish: (y) => reshape(y, outShape) };
}

/** The (values, indices) pair max pooling returns with `returnIndices: true`. */
export type PoolWithIndices = [values: Tensor, indices: Tensor];

function maxPool(op: string, nd: 1 | 2, x: Tensor, opts: MaxPoolOptions): Tensor | PoolWithIndices {
  const { win, x4, finish } = poolWindow(op, nd, x, opts);
  const [n, c] = x4.shape;
  const kk = win.kh * win.kw;
  const cols = reshape(apply("im2col", [x4], { ...win, padValue: -Infinity }), [n, c, kk, win.oh * win.ow]);
  // max over the window axis (torch.max(dim)): its gradient goes to the first maximum in window
  // order, the tap PyTorch's kernel picks, so even ties route as in PyTorch.
  const y = finish(apply("max_dim", [cols], { dim: 2, keepdim: false }));
  if (!opts.returnIndices) return y;
  const arg = argmax(cols, 2);
  // The flat input position of every tap (-1 for padding), picked at each window's argmax.
  const pos = apply("im2col", [reshape(arange(0, win.h * win.w, 1, { dtype: "int32" }), [1, 1, win.h, win.w])], { ...win, padValue: -1 });
  const taps = expand(reshape(pos, [1, 1, kk, win.oh * win.ow]), [n, c, kk, win.oh * win.ow]);
  const idx = gather(taps, 2, unsqueeze(arg, 2));
  return [y, finish(idx)];
}

/** Options without the kernel size, for calls that give it positionally as PyTorch does. */
export type MaxPoolArgs = Omit<MaxPoolOptions, "kernelSize">;
export type AvgPoolArgs = Omit<AvgPoolOptions, "kernelSize">;

/** `(kernelSize, opts)` or `({ kernelSize, ...opts })` as one options object. */
function poolOptions<O extends { kernelSize: IntOrTuple }>(op: string, k: IntOrTuple | O, rest: Omit<O, "kernelSize"> | undefined): O {
  if (typeof k === "number" || Array.isArray(k)) return { ...(rest ?? {}), kernelSize: k as IntOrTuple } as O;
  if (typeof k !== "object" || k === null || !("kernelSize" in k)) throw new ValueError(`${op}: expected a kernel size (a number or a list) or options with kernelSize`);
  return { ...(k as O), ...(rest ?? {}) };
}

/**
 * 2-D max pooling as PyTorch's F.max_pool2d over [N, C, H, W] or [C, H, W]; the kernel size comes
 * positionally or in the options. Padding reads -Infinity. With `returnIndices`, also the flat
 * index into H*W of each maximum (int32). The gradient goes to the first maximum of each window
 * in row-major window order, the element PyTorch's CPU kernel picks, so ties route as in PyTorch;
 * a window holding NaN gives NaN (PyTorch's index then points at the last NaN, duograd's at the first).
 * @example maxPool2d(x, 2) // [1, 3, 8, 8] -> [1, 3, 4, 4]
 * @example const [y, idx] = maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true });
 */
export function maxPool2d(x: Tensor, opts: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolArgs & { returnIndices: true }): PoolWithIndices;
export function maxPool2d(x: Tensor, opts: MaxPoolOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolArgs): Tensor;
export function maxPool2d(x: Tensor, k: IntOrTuple | MaxPoolOptions, opts?: MaxPoolArgs): Tensor | PoolWithIndices {
  return maxPool("max_pool2d", 2, x, poolOptions("max_pool2d", k, opts));
}

/**
 * 1-D max pooling as PyTorch's F.max_pool1d over [N, C, L] or [C, L].
 * @example maxPool1d(x, 3, { stride: 1, padding: 1 })
 */
export function maxPool1d(x: Tensor, opts: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolArgs & { returnIndices: true }): PoolWithIndices;
export function maxPool1d(x: Tensor, opts: MaxPoolOptions): Tensor;
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolArgs): Tensor;
export function maxPool1d(x: Tensor, k: IntOrTuple | MaxPoolOptions, opts?: MaxPoolArgs): Tensor | PoolWithIndices {
  return maxPool("max_pool1d", 1, x, poolOptions("max_pool1d", k, opts));
}

function avgPool(op: string, nd: 1 | 2, x: Tensor, opts: AvgPoolOptions): Tensor {
  const { win, x4, finish } = poolWindow(op, nd, x, { ...opts, dilation: 1 });
  const [n, c] = x4.shape;
  const kk = win.kh * win.kw;
  const l = win.oh * win.ow;
  const sums = sum(reshape(apply("im2col", [x4], { ...win, padValue: 0 }), [n, c, kk, l]), 2);
  const d = opts.divisorOverride;
  if (d !== undefined && d !== null) {
    if (!Number.isInteger(d) || d === 0) throw new ValueError(`${op}: divisor must be a non-zero integer, got ${d}`);
    return finish(div(sums, d));
  }
  // The divisor of each window, counted by pooling an image of ones: PyTorch counts the taps
  // inside the padded input (count_include_pad) or inside the input itself, never those a ceil-mode
  // window hangs past the padding.
  const include = opts.countIncludePad ?? true;
  const counted = include
    ? { img: ones([1, 1, win.h + 2 * win.ph, win.w + 2 * win.pw], { dtype: x.dtype }), at: { ...win, h: win.h + 2 * win.ph, w: win.w + 2 * win.pw, ph: 0, pw: 0 } }
    : { img: ones([1, 1, win.h, win.w], { dtype: x.dtype }), at: win };
  const counts = sum(apply("im2col", [counted.img], { ...counted.at, padValue: 0 }), [0, 1]); // [L]
  return finish(div(sums, counts));
}

/**
 * 2-D average pooling as PyTorch's F.avg_pool2d over [N, C, H, W] or [C, H, W]; the kernel size
 * comes positionally or in the options.
 * @example avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool2d(x: Tensor, opts: AvgPoolOptions): Tensor;
export function avgPool2d(x: Tensor, kernelSize: IntOrTuple, opts?: AvgPoolArgs): Tensor;
export function avgPool2d(x: Tensor, k: IntOrTuple | AvgPoolOptions, opts?: AvgPoolArgs): Tensor {
  return avgPool("avg_pool2d", 2, x, poolOptions("avg_pool2d", k, opts));
}

/**
 * 1-D average pooling as PyTorch's F.avg_pool1d over [N, C, L] or [C, L] (no divisorOverride there).
 * @example avgPool1d(x, 2)
 */
export function avgPool1d(x: Tensor, opts: Omit<AvgPoolOptions, "divisorOverride">): Tensor;
export function avgPool1d(x: Tensor, kernelSize: IntOrTuple, opts?: Omit<AvgPoolArgs, "divisorOverride">): Tensor;
export function avgPool1d(x: Tensor, k: IntOrTuple | Omit<AvgPoolOptions, "divisorOverride">, opts?: Omit<AvgPoolArgs, "divisorOverride">): Tensor {
  return avgPool("avg_pool1d", 1, x, poolOptions<AvgPoolOptions>("avg_pool1d", k, opts));
}

/**
 * The [out, size] matrix whose row i averages PyTorch's adaptive window i,
 * [floor(i*size/out), ceil((i+1)*size/out)); `transposed` gives it as [size, out].
 */
function adaptiveMatrix(size: number, out: number, dtype: DType, transposed: boolean): Tensor {
  const m: number[][] = transposed ? Array.from({ length: size }, () => new Array<number>(out).fill(0)) : [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    const row = new Array<number>(size).fill(0);
    for (let j = start; j < end; j++) {
      if (transposed) m[j][i] = 1 / (end - start);
      else row[j] = 1 / (end - start);
    }
    if (!transposed) m.push(row);
  }
  return tensor(m, { dtype });
}

function adaptiveAvgPool(op: string, nd: 1 | 2, x: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new ShapeError(`${op}: expected ${nd + 1}D or ${nd + 2}D tensor for input, but got input of size: ${fmtShape(x.shape)}`);
  }
  requireFloat(op, x);
  if (x.shape.slice(x.ndim - nd - 1).some((s) => s === 0)) {
    throw new ShapeError(`${op}: expected input to have non-zero size for non-batch dimensions, but input has sizes ${fmtShape(x.shape)}`);
  }
  const spatial = x.shape.slice(x.ndim - nd);
  const given = typeof outputSize === "number" ? new Array<number>(nd).fill(outputSize) : outputSize.slice();
  if (given.length !== nd) throw new ValueError(`${op}: output_size must be ${nd} integer${nd > 1 ? "s" : ""}, got [${given.join(", ")}]`);
  // null keeps the input's size along that dim, as PyTorch's modules allow.
  const out = given.map((o, i) => (o === null ? spatial[i] : o));
  if (out.some((o) => !Number.isInteger(o) || o < 1)) throw new ValueError(`${op}: output_size must be positive integers, got [${given.join(", ")}]`);
  // Averaging is separable: P_h @ x @ P_w^T, each P averaging the adaptive windows of one dim.
  let y = matmul(x, adaptiveMatrix(spatial[nd - 1], out[nd - 1], x.dtype, true));
  if (nd === 2) y = matmul(adaptiveMatrix(spatial[0], out[0], x.dtype, false), y);
  return y;
}

/**
 * Adaptive 2-D average pooling as PyTorch's F.adaptive_avg_pool2d: output [.., oh, ow] whatever
 * the input size; window i covers [floor(i*H/oh), ceil((i+1)*H/oh)). A null size keeps that dim.
 * @example adaptiveAvgPool2d(x, 1) // global average pooling: [N, C, H, W] -> [N, C, 1, 1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  return adaptiveAvgPool("adaptive_avg_pool2d", 2, x, outputSize);
}

/**
 * Adaptive 1-D average pooling as PyTorch's F.adaptive_avg_pool1d over [N, C, L] or [C, L].
 * @example adaptiveAvgPool1d(x, 4)
 */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | readonly [number]): Tensor {
  return adaptiveAvgPool("adaptive_avg_pool1d", 1, x, outputSize);
}
