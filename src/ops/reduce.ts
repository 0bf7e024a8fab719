import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { backend } from "../backend/registry.js";
import { fmtShape, normDim, normDims, shapesEqual } from "../tensor/shape.js";
import { ValueError } from "../tensor/errors.js";
import { apply, applyRule } from "./apply.js";
import type { RuleSet } from "./rule.js";
import { castTo, empty, requireFloat } from "./util.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { add, div, eq, mul, sub, where } from "./binary.js";
import { abs, exp, isinf, log, powScalar, sqrt, square } from "./unary.js";
import { expand, reshape, squeeze } from "./shape.js";
import { scatterAdd } from "./indexing.js";
import { zerosLike } from "../tensor/creation.js";
import { newBuffer } from "../tensor/storage.js";

const SCALAR_SHAPE: readonly number[] = [];

declare module "./rule.js" {
  interface OpAttrs {
    sum: { dims: number[]; keepdim: boolean };
    mean: { dims: number[]; keepdim: boolean };
    prod: { dims: number[]; keepdim: boolean };
    amax: { dims: number[]; keepdim: boolean };
    amin: { dims: number[]; keepdim: boolean };
    max_dim: { dim: number; keepdim: boolean };
    min_dim: { dim: number; keepdim: boolean };
    argmax: { dim: number | null; keepdim: boolean };
    argmin: { dim: number | null; keepdim: boolean };
    any: { dims: number[]; keepdim: boolean };
    all: { dims: number[]; keepdim: boolean };
    cumsum: { dim: number; reverse: boolean };
  }
}

export type Dims = number | readonly number[] | null | undefined;

function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    // (A loop, not dims.includes: a builtin call per dim measured at a tenth of a 1-element sum.)
    let reduced = false;
    for (let j = 0; j < dims.length; j++) if (dims[j] === d) reduced = true;
    if (reduced) {
      if (keepdim) out.push(1);
    } else out.push(shape[d]);
  }
  return out;
}

function reduceForward(kernel: "sum" | "prod" | "max" | "min" | "any" | "all", dtypeOf: (d: DType) => DType) {
  return ([x]: readonly Tensor[], a: { dims: number[]; keepdim: boolean }): Tensor => {
    // Only a reduced dim of size 0 has no extremum (an empty batch elsewhere is fine, as in PyTorch).
    if ((kernel === "max" || kernel === "min") && x.storage.length === 0 && a.dims.some((d) => x.shape[d] === 0)) {
      throw new ValueError(`${kernel}: cannot reduce an empty tensor (shape ${fmtShape(x.shape)})`);
    }
    const dt = dtypeOf(x.dtype);
    const out = empty(reducedShape(x.shape, a.dims, a.keepdim), dt);
    const xc = kernel === "any" || kernel === "all" ? x : castTo(x, dt);
    backend().reduce(kernel, xc.storage, x.shape, a.dims, out.storage);
    return out;
  };
}

/** The gradient of a reduction (kept dims or not) broadcast back over the reduced dims. */
/**
 * The gradient of a full mean when nothing records: g/n (divided by the div kernel, n rounded to
 * the dtype as a wrapped number is) filled over x's shape. The same values as
 * expandBack(div(g, n)), without the 1-element tensor and op between (W1's loss, ~80 ns a step).
 */
function spreadMean(g: Tensor, x: Tensor, n: number): Tensor {
  const q = newBuffer(g.dtype, 1);
  q[0] = n;
  backend().binary("div", g.storage, SCALAR_SHAPE, q, SCALAR_SHAPE, q, SCALAR_SHAPE);
  const out = empty(x.shape, g.dtype);
  backend().fill(out.storage, q[0]);
  return out;
}

function expandBack(g: Tensor, x: Tensor, dims: readonly number[]): Tensor {
  // Kept dims, or only leading dims reduced (a full reduction, a bias gradient): g already
  // broadcasts to x's shape, so one expand does it without a reshape op first.
  return g.ndim === x.ndim || leadingDims(dims) ? expand(g, x.shape) : expand(reshape(g, reducedShape(x.shape, dims, true)), x.shape);
}

/** Whether sorted `dims` are 0, 1, …, k−1. */
function leadingDims(dims: readonly number[]): boolean {
  for (let i = 0; i < dims.length; i++) if (dims[i] !== i) return false;
  return true;
}

/** The number of elements a reduction over `dims` combines into each result. */
function countOver(x: Tensor, dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= x.shape[d];
  return n;
}

const intSum = (d: DType): DType => (d === "bool" ? "int32" : d);
const sameType = (d: DType): DType => d;
const maxForward = reduceForward("max", sameType);
const sumForward = reduceForward("sum", intSum);
const minForward = reduceForward("min", sameType);

export const reduceRules: RuleSet<"sum" | "mean" | "prod" | "amax" | "amin" | "max_dim" | "min_dim" | "argmax" | "argmin" | "any" | "all" | "cumsum"> = {
  sum: {
    forward: sumForward,
    vjp: (g, [x], _o, a) => [expandBack(g, x, a.dims)],
  },
  // One op rather than sum then div: a node and a pass fewer each way (W1's loss). The values
  // are the composition's: the sum, then one division by the count in the dtype; the gradient
  // divides before expanding (PyTorch expands then divides: the same value in every element).
  mean: {
    forward([x], a) {
      const out = sumForward([x], a);
      const n = newBuffer(out.dtype, 1);
      n[0] = countOver(x, a.dims);
      backend().binary("div", out.storage, out.shape, n, SCALAR_SHAPE, out.storage, out.shape);
      return out;
    },
    vjp: (g, [x], _o, a) => [g.storage.length === 1 && !isGradEnabled() ? spreadMean(g, x, countOver(x, a.dims)) : expandBack(div(g, countOver(x, a.dims)), x, a.dims)],
  },
  prod: {
    forward: reduceForward("prod", intSum),
    vjp: (g, [x], out, a) => {
      // d prod / dx_i = prod / x_i where x_i ≠ 0. At a zero: the product of the others if it is the
      // only zero of its slice, else 0 (PyTorch's prod_backward); no 0/0 anywhere.
      const zero = eq(x, 0);
      const safe = where(zero, 1, x);
      const others = div(expandBack(out, x, a.dims), safe);
      const atZero = where(eq(sum(zero, a.dims, true), 1), prod(safe, a.dims, true), 0);
      return [mul(expandBack(g, x, a.dims), where(zero, atZero, others))];
    },
    saves: [0, "out"],
  },
  amax: { forward: maxForward, vjp: (g, [x], out, a) => [evenlyDistribute(g, x, out, a.dims)], saves: [0, "out"] },
  amin: { forward: minForward, vjp: (g, [x], out, a) => [evenlyDistribute(g, x, out, a.dims)], saves: [0, "out"] },
  max_dim: {
    forward: ([x], a) => maxForward([x], { dims: [a.dim], keepdim: a.keepdim }),
    vjp: (g, [x], _o, a) => [indexedBack(g, x, a.dim, a.keepdim, "argmax")],
    saves: [0],
  },
  min_dim: {
    forward: ([x], a) => minForward([x], { dims: [a.dim], keepdim: a.keepdim }),
    vjp: (g, [x], _o, a) => [indexedBack(g, x, a.dim, a.keepdim, "argmin")],
    saves: [0],
  },
  argmax: { forward: ([x], a) => argForward("argmax", x, a.dim, a.keepdim), vjp: () => [null], differentiable: false },
  argmin: { forward: ([x], a) => argForward("argmin", x, a.dim, a.keepdim), vjp: () => [null], differentiable: false },
  any: { forward: reduceForward("any", () => "bool"), vjp: () => [null], differentiable: false },
  all: { forward: reduceForward("all", () => "bool"), vjp: () => [null], differentiable: false },
  cumsum: {
    forward([x], a) {
      const dt = intSum(x.dtype);
      const xc = castTo(x, dt);
      const out = empty(x.shape, dt);
      backend().cumsum(xc.storage, x.shape, a.dim, a.reverse, out.storage);
      return out;
    },
    vjp: (g, _x, _o, a) => [cumsumImpl(g, a.dim, !a.reverse)],
  },
};

// max()/min() over several dims share the gradient evenly among tied elements (PyTorch 1.13).
function evenlyDistribute(g: Tensor, x: Tensor, out: Tensor, dims: number[]): Tensor {
  const mask = eq(x, expandBack(out, x, dims));
  const count = sum(mask, dims, true);
  return where(mask, div(expandBack(g, x, dims), count), zerosLike(x));
}

function indexedBack(g: Tensor, x: Tensor, dim: number, keepdim: boolean, arg: "argmax" | "argmin"): Tensor {
  const idx = apply(arg, [x], { dim, keepdim: true });
  const gk = keepdim ? g : reshape(g, reducedShape(x.shape, [dim], true));
  return scatterAdd(zerosLike(x), dim, idx, gk);
}

function argForward(kind: "argmax" | "argmin", x: Tensor, dim: number | null, keepdim: boolean): Tensor {
  if (x.storage.length === 0 && (dim === null || x.shape[dim] === 0)) throw new ValueError(`${kind}: cannot reduce an empty tensor (shape ${fmtShape(x.shape)})`);
  if (dim === null) {
    const flat = reshape(x, [-1]);
    const out = empty(keepdim ? x.shape.map(() => 1) : [], "int32");
    backend().argReduce(kind, flat.storage, flat.shape, 0, out.storage);
    return out;
  }
  const out = empty(reducedShape(x.shape, [dim], keepdim), "int32");
  backend().argReduce(kind, x.storage, x.shape, dim, out.storage);
  return out;
}

const cumsumImpl = (x: Tensor, dim: number, reverse: boolean): Tensor => apply("cumsum", [x], { dim, reverse });

/** Sum over `dim` (a dim, a list, or all when omitted). Bool and int sums are int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply("sum", [x], { dims: normDims("sum", dim, x.ndim), keepdim });
}

export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply("prod", [x], { dims: normDims("prod", dim, x.ndim), keepdim });
}

/** Mean over `dim` (all dims when omitted); floating point only, as in PyTorch. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  requireFloat("mean", x);
  return apply("mean", [x], { dims: normDims("mean", dim, x.ndim), keepdim });
}

/** Largest value over dims (all when omitted), ties sharing the gradient. */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply("amax", [x], { dims: normDims("amax", dim, x.ndim), keepdim });
}

export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply("amin", [x], { dims: normDims("amin", dim, x.ndim), keepdim });
}

/** Values and indices, usable as `[values, indices]` or `.values` / `.indices` (torch.return_types). */
export interface ValuesIndices extends Iterable<Tensor> {
  readonly values: Tensor;
  readonly indices: Tensor;
  readonly 0: Tensor;
  readonly 1: Tensor;
}

function pair(values: Tensor, indices: Tensor): ValuesIndices {
  return {
    values,
    indices,
    0: values,
    1: indices,
    *[Symbol.iterator]() {
      yield values;
      yield indices;
    },
  };
}

/** max over `dim` with indices; without `dim`, the largest element as a 0-d tensor. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return amax(x);
  const d = normDim("max", dim, x.ndim);
  return pair(apply("max_dim", [x], { dim: d, keepdim }), apply("argmax", [x], { dim: d, keepdim }));
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return amin(x);
  const d = normDim("min", dim, x.ndim);
  return pair(apply("min_dim", [x], { dim: d, keepdim }), apply("argmin", [x], { dim: d, keepdim }));
}

/** Index of the largest element (flattened when `dim` is omitted), int32. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return apply("argmax", [x], { dim: dim === undefined || dim === null ? null : normDim("argmax", dim, x.ndim), keepdim });
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return apply("argmin", [x], { dim: dim === undefined || dim === null ? null : normDim("argmin", dim, x.ndim), keepdim });
}

export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply("any", [x], { dims: normDims("any", dim, x.ndim), keepdim });
}

export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply("all", [x], { dims: normDims("all", dim, x.ndim), keepdim });
}

/** Cumulative sum along `dim`. */
export function cumsum(x: Tensor, dim: number): Tensor {
  return cumsumImpl(x, normDim("cumsum", dim, x.ndim), false);
}

/** Variance with Bessel's `correction` (1 = unbiased, PyTorch's default). */
export function variance(x: Tensor, dim?: Dims, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
  requireFloat("var", x);
  const dims = normDims("var", dim, x.ndim);
  const m = mean(x, dims, true);
  const ss = sum(square(sub(x, m)), dims, opts.keepdim ?? false);
  return div(ss, Math.max(countOver(x, dims) - (opts.correction ?? 1), 0));
}

export function std(x: Tensor, dim?: Dims, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

/** log(sum(exp(x))) over dims, stable for large inputs (shifted by the detached max). */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  requireFloat("logsumexp", x);
  const dims = normDims("logsumexp", dim, x.ndim);
  const m0 = amax(x, dims, true).detach();
  const m = where(isinf(m0), zerosLike(m0), m0);
  const r = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? r : squeeze(r, dims);
}

/** The p-norm over dims (all when omitted): 2 by default; 1, Infinity and any p > 0. */
export function norm(x: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor {
  requireFloat("norm", x);
  if (p === 2) return rootOrZero(sum(square(x), dim, keepdim), 2);
  if (p === 1) return sum(abs(x), dim, keepdim);
  if (p === Infinity) return amax(abs(x), dim, keepdim);
  return rootOrZero(sum(powScalar(abs(x), p), dim, keepdim), p);
}

/** s^(1/p), with gradient 0 (not 0·∞) where s = 0: PyTorch's norm backward is 0 at a zero norm. */
function rootOrZero(s: Tensor, p: number): Tensor {
  const z = eq(s, 0);
  const safe = where(z, 1, s);
  return where(z, 0, p === 2 ? sqrt(safe) : powScalar(safe, 1 / p));
}

/** Sums `g` down to `shape` over broadcast dims: the one unbroadcast helper of every binary VJP. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape === shape || shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  let onlyLead = true;
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead) dims.push(d);
    else if (shape[d - lead] === 1 && g.shape[d] !== 1) {
      dims.push(d);
      onlyLead = false;
    }
  }
  // Only leading dims to drop (a bias gradient, [N, C] to [C]): the sum without kept dims has
  // `shape` already, with no reshape op after it.
  if (onlyLead) return sumDims(g, dims, false);
  return reshape(sumDims(g, dims, true), shape);
}

/**
 * `sum` over dims already sorted, unique and in range (sumTo's), with the rule resolved here:
 * without normDims' copy and check and the table lookup by name. Part of ~190 ns measured
 * between a bias gradient's reduction kernel and sumTo around it in a W1 backward pass.
 */
function sumDims(g: Tensor, dims: number[], keepdim: boolean): Tensor {
  return applyRule("sum", reduceRules.sum, [g], { dims, keepdim });
}

