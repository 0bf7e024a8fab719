import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import type { WindowGeometry } from "../backend/backend.js";
import { fmtShape } from "../tensor/shape.js";
import { DTypeError, ShapeError, ValueError } from "../tensor/errors.js";
import { apply } from "./apply.js";
import type { RuleSet } from "./rule.js";
import { empty, requireFloat } from "./util.js";
import { add } from "./binary.js";
import { reshape, squeeze, unsqueeze } from "./shape.js";
import { matmul } from "./linalg.js";
import { window2d } from "./window.js";

/**
 * A 2-D sliding window over an [N, C, h, w] image: kernel, stride, padding before the image
 * (`ph`, `pw`), dilation, and the number of window positions `oh` × `ow`. Padding after the image
 * is implied by `oh`/`ow`: taps that fall outside the image read the pad value, so asymmetric
 * padding ("same" with an even kernel) and pooling's ceil mode need nothing more.
 */
export type WindowAttrs = Omit<WindowGeometry, "n" | "c">;

declare module "./rule.js" {
  interface OpAttrs {
    /** [N, C, h, w] → columns [N, C*kh*kw, oh*ow]; taps outside the image read `padValue`. */
    im2col: WindowAttrs & { padValue: number };
    /** The adjoint of im2col: columns summed back into an [N, C, h, w] image. */
    col2im: WindowAttrs;
  }
}

/** The window fields of `a` alone (im2col's attrs without `padValue`, a caller's object copied). */
const windowOf = (a: WindowAttrs): WindowAttrs => ({
  kh: a.kh, kw: a.kw, sh: a.sh, sw: a.sw, ph: a.ph, pw: a.pw, dh: a.dh, dw: a.dw, h: a.h, w: a.w, oh: a.oh, ow: a.ow,
});

function geometry(n: number, c: number, a: WindowAttrs): WindowGeometry {
  return { n, c, ...windowOf(a) };
}


// The two are linear adjoints, so each one's VJP is the other: conv's backward is itself made of
// differentiable ops and higher-order gradients follow. Padded taps are constants: no gradient.
export const convRules: RuleSet<"im2col" | "col2im"> = {
  im2col: {
    forward([x], a) {
      const [n, c] = x.shape;
      const out = empty([n, c * a.kh * a.kw, a.oh * a.ow], x.dtype);
      backend().im2col(x.storage, geometry(n, c, a), a.padValue, out.storage);
      return out;
    },
    vjp: (g, _x, _o, a) => [apply("col2im", [g], windowOf(a))],
  },
  col2im: {
    forward([cols], a) {
      const n = cols.shape[0];
      const c = cols.shape[1] / (a.kh * a.kw);
      const out = empty([n, c, a.h, a.w], cols.dtype);
      backend().col2im(cols.storage, geometry(n, c, a), out.storage);
      return out;
    },
    vjp: (g, _c, _o, a) => [apply("im2col", [g], { ...windowOf(a), padValue: 0 })],
  },
};

/** A number or one number per spatial dim, as PyTorch's `int or tuple` arguments. */
export type IntOrTuple = number | readonly number[];

/** Expands an `int or tuple` argument to `nd` integers, checking each against `min`. */
export function tupleArg(op: string, name: string, v: IntOrTuple, nd: number, min: number): number[] {
  const list = typeof v === "number" ? new Array<number>(nd).fill(v) : v.slice();
  if (list.length === 1 && nd > 1) while (list.length < nd) list.push(list[0]);
  if (list.length !== nd) throw new ValueError(`${op}: expected ${name} to be a single integer or a list of ${nd} integers, got [${list.join(", ")}]`);
  for (const x of list) {
    if (!Number.isInteger(x)) throw new ValueError(`${op}: ${name} must be integers, got [${list.join(", ")}]`);
    if (x < min) {
      const what = min === 0 ? `negative ${name} is not supported` : `non-positive ${name} is not supported`;
      throw new ValueError(`${op}: ${what} (got ${name}=[${list.join(", ")}])`);
    }
  }
  return list;
}

/**
 * Runs im2col on an [N, C, H, W] image. The window attrs are those of `WindowAttrs`; `padValue`
 * fills taps outside the image (0 for conv and average pooling, -Infinity for max pooling).
 */
export function im2col(x: Tensor, window: WindowAttrs, padValue = 0): Tensor {
  checkWindowInput("im2col", x, window);
  return apply("im2col", [x], { ...windowOf(window), padValue });
}

/** The adjoint of `im2col`: columns [N, C*kh*kw, oh*ow] summed back into an [N, C, h, w] image. */
export function col2im(cols: Tensor, window: WindowAttrs): Tensor {
  const kk = window.kh * window.kw;
  if (cols.ndim !== 3 || cols.shape[1] % kk !== 0 || cols.shape[2] !== window.oh * window.ow) {
    throw new ShapeError(`col2im: expected columns of shape [N, C*${window.kh}*${window.kw}, ${window.oh * window.ow}], got ${fmtShape(cols.shape)}`);
  }
  return apply("col2im", [cols], windowOf(window));
}

function checkWindowInput(op: string, x: Tensor, a: WindowAttrs): void {
  if (x.ndim !== 4 || x.shape[2] !== a.h || x.shape[3] !== a.w) {
    throw new ShapeError(`${op}: expected an input of shape [N, C, ${a.h}, ${a.w}], got ${fmtShape(x.shape)}`);
  }
}

/** Window positions along one dim for a window of `k` taps dilated by `d`, padded `lo`/`hi`. */
export function windowCount(size: number, k: number, s: number, lo: number, hi: number, d: number): number {
  return Math.floor((size + lo + hi - d * (k - 1) - 1) / s) + 1;
}

export interface ConvOptions {
  /** Stride of the window: one number or one per spatial dim. Default 1. */
  stride?: IntOrTuple;
  /** Zero padding on both sides, or "valid" (none) or "same" (output as large as the input; stride 1 only). */
  padding?: IntOrTuple | "valid" | "same";
  /** Spacing between kernel taps. Default 1. */
  dilation?: IntOrTuple;
  /** Channels are split into `groups` independent convolutions. Default 1. */
  groups?: number;
}

/**
 * 2-D cross-correlation as PyTorch's F.conv2d: x [N, Cin, H, W] (or unbatched [Cin, H, W]),
 * weight [Cout, Cin/groups, KH, KW], bias [Cout]. It is im2col, a (grouped, batched) matmul and
 * a reshape, so its gradients — of every order — come from those ops.
 * @example conv2d(x, w, b, { stride: 2, padding: 1 }) // [2, 3, 8, 8] * [16, 3, 3, 3] -> [2, 16, 4, 4]
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd("conv2d", 2, x, weight, bias, opts);
}

/**
 * 1-D cross-correlation as PyTorch's F.conv1d: x [N, Cin, L] (or [Cin, L]), weight [Cout, Cin/groups, K].
 * @example conv1d(x, w, null, { padding: "same" }) // [4, 2, 10] * [8, 2, 3] -> [4, 8, 10]
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd("conv1d", 1, x, weight, bias, opts);
}

function convNd(op: string, nd: 1 | 2, x: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvOptions): Tensor {
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups <= 0) throw new ValueError(`${op}: non-positive groups is not supported (got groups=${groups})`);
  const stride = tupleArg(op, "stride", opts.stride ?? 1, nd, 1);
  const dilation = tupleArg(op, "dilation", opts.dilation ?? 1, nd, 1);
  if (weight.ndim !== nd + 2) {
    throw new ShapeError(`${op}: expected a ${nd + 2}-D weight [out_channels, in_channels/groups, ${nd === 2 ? "kH, kW" : "k"}], got weight of size ${fmtShape(weight.shape)}`);
  }
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new ShapeError(`${op}: expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${op}, but got input of size: ${fmtShape(x.shape)}`);
  }
  requireFloat(op, x);
  if (weight.dtype !== x.dtype || (bias !== null && bias.dtype !== x.dtype)) {
    throw new DTypeError(`${op}: input (${x.dtype}), weight (${weight.dtype})${bias !== null ? ` and bias (${bias.dtype})` : ""} must have the same dtype`);
  }
  const batched = x.ndim === nd + 2;
  const xb = batched ? x : unsqueeze(x, 0);
  const cout = weight.shape[0];
  const cin = xb.shape[1];
  if (cin !== weight.shape[1] * groups) {
    throw new ShapeError(`${op}: Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${weight.shape[1] * groups} channels, but got ${cin} channels instead`);
  }
  if (cout % groups !== 0) {
    throw new ShapeError(`${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new ShapeError(`${op}: Given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${cout} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  const spatial = xb.shape.slice(2);
  const kernel = weight.shape.slice(2);
  // Padding before (lo) and after (hi) each spatial dim.
  let lo: number[];
  let hi: number[];
  const padding = opts.padding ?? 0;
  if (padding === "valid") {
    lo = new Array<number>(nd).fill(0);
    hi = lo.slice();
  } else if (padding === "same") {
    if (stride.some((s) => s !== 1)) throw new ValueError(`${op}: padding='same' is not supported for strided convolutions (stride=[${stride.join(", ")}])`);
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    lo = total.map((t) => Math.floor(t / 2));
    hi = total.map((t, i) => t - lo[i]);
  } else if (typeof padding === "string") {
    throw new ValueError(`${op}: invalid padding string '${padding}', should be one of 'valid' or 'same'`);
  } else {
    lo = tupleArg(op, "padding", padding, nd, 0);
    hi = lo.slice();
  }
  const padded = spatial.map((s, i) => s + lo[i] + hi[i]);
  const effective = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  if (padded.some((p, i) => p < effective[i])) {
    throw new ShapeError(`${op}: Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${effective.join(" x ")}). Kernel size can't be greater than actual input size (input ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`);
  }
  const outSize = spatial.map((s, i) => windowCount(s, kernel[i], stride[i], lo[i], hi[i], dilation[i]));
  // A 1-D conv is a 2-D one over an image of height 1.
  const win = window2d(nd, spatial, kernel, stride, lo, dilation, outSize);
  const x4 = nd === 2 ? xb : unsqueeze(xb, 2);
  const w4 = nd === 2 ? weight : unsqueeze(weight, 2);
  const n = x4.shape[0];
  const cols = apply("im2col", [x4], { ...win, padValue: 0 });
  const k = (cin / groups) * win.kh * win.kw;
  let y: Tensor;
  if (groups === 1) {
    y = matmul(reshape(w4, [cout, k]), cols); // [Cout, K] @ [N, K, L] -> [N, Cout, L]
  } else {
    // Channel rows of the columns are ordered (c, ki, kj), so each group's rows are contiguous.
    y = matmul(reshape(w4, [groups, cout / groups, k]), reshape(cols, [n, groups, k, win.oh * win.ow]));
  }
  y = reshape(y, [n, cout, ...outSize]);
  if (bias !== null) y = add(y, reshape(bias, [cout, ...outSize.map(() => 1)]));
  return batched ? y : squeeze(y, 0);
}

/**
 * Extracts sliding local blocks as PyTorch's F.unfold: [N, C, H, W] → [N, C*kh*kw, L].
 * @example unfold(x, { kernelSize: 3, padding: 1 })
 */
export function unfold(x: Tensor, opts: { kernelSize: IntOrTuple; dilation?: IntOrTuple; padding?: IntOrTuple; stride?: IntOrTuple }): Tensor {
  if (x.ndim !== 4 && x.ndim !== 3) throw new ShapeError(`unfold: expected 3D or 4D input, got input of size ${fmtShape(x.shape)}`);
  const xb = x.ndim === 4 ? x : unsqueeze(x, 0);
  const win = windowFor("unfold", xb.shape[2], xb.shape[3], opts);
  const cols = apply("im2col", [xb], { ...win, padValue: 0 });
  return x.ndim === 4 ? cols : squeeze(cols, 0);
}

/**
 * Sums sliding local blocks back into an image as PyTorch's F.fold (the adjoint of unfold):
 * [N, C*kh*kw, L] → [N, C, outputSize[0], outputSize[1]].
 * @example fold(cols, { outputSize: [4, 5], kernelSize: 2 })
 */
export function fold(cols: Tensor, opts: { outputSize: IntOrTuple; kernelSize: IntOrTuple; dilation?: IntOrTuple; padding?: IntOrTuple; stride?: IntOrTuple }): Tensor {
  if (cols.ndim !== 3 && cols.ndim !== 2) throw new ShapeError(`fold: expected 2D or 3D input, got input of size ${fmtShape(cols.shape)}`);
  const cb = cols.ndim === 3 ? cols : unsqueeze(cols, 0);
  const [h, w] = tupleArg("fold", "output_size", opts.outputSize, 2, 1);
  const win = windowFor("fold", h, w, opts);
  const kk = win.kh * win.kw;
  if (cb.shape[1] % kk !== 0) {
    throw new ShapeError(`fold: expected size of input's dimension 1 to be divisible by the product of kernel_size (${kk}), but got input of size ${fmtShape(cols.shape)}`);
  }
  if (cb.shape[2] !== win.oh * win.ow) {
    throw new ShapeError(`fold: given output_size=(${h}, ${w}), kernel_size=(${win.kh}, ${win.kw}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${win.oh} * ${win.ow} = ${win.oh * win.ow}, but got input of size ${fmtShape(cols.shape)}`);
  }
  const img = apply("col2im", [cb], win);
  return cols.ndim === 3 ? img : squeeze(img, 0);
}

function windowFor(op: string, h: number, w: number, o: { kernelSize: IntOrTuple; dilation?: IntOrTuple; padding?: IntOrTuple; stride?: IntOrTuple }): WindowAttrs {
  const [kh, kw] = tupleArg(op, "kernel_size", o.kernelSize, 2, 1);
  const [sh, sw] = tupleArg(op, "stride", o.stride ?? 1, 2, 1);
  const [ph, pw] = tupleArg(op, "padding", o.padding ?? 0, 2, 0);
  const [dh, dw] = tupleArg(op, "dilation", o.dilation ?? 1, 2, 1);
  const oh = windowCount(h, kh, sh, ph, ph, dh);
  const ow = windowCount(w, kw, sw, pw, pw, dw);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`${op}: given input spatial size (${h}, ${w}), kernel_size=(${kh}, ${kw}), dilation=(${dh}, ${dw}), padding=(${ph}, ${pw}), calculated shape of the array of sliding blocks as (${oh}, ${ow}), which is too small (non-positive)`);
  }
  return { kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow };
}
