import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";
import type { BinaryKernel, UnaryKernel } from "../backend.js";
import { erf } from "./erf.js";
import { arithF32, gelu, geluTanh, relu, sigmoid, silu, unaryF32, whereF32 } from "./float32.js";

type F1 = (x: number, p0: number, p1: number) => number;
type F2 = (a: number, b: number) => number;

const UNARY: Record<UnaryKernel, F1> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  sigmoid,
  relu,
  log1p: Math.log1p,
  expm1: Math.expm1,
  erf,
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  // Round half to even, as torch.round.
  round: (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  trunc: Math.trunc,
  logical_not: (x) => (x ? 0 : 1),
  leaky_relu: (x, slope) => (x > 0 ? x : x * slope),
  elu: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)),
  // softplus(x) = log(1 + e^{βx}) / β, linear past the threshold; the log1p form avoids overflow.
  softplus: (x, beta, threshold) => {
    const bx = beta * x;
    if (bx > threshold) return x;
    return (Math.max(bx, 0) + Math.log1p(Math.exp(-Math.abs(bx)))) / beta;
  },
  gelu,
  gelu_tanh: geluTanh,
  silu,
  pow_scalar: (x, e) => Math.pow(x, e),
  rpow_scalar: (x, base) => Math.pow(base, x),
  isnan: (x) => (x !== x ? 1 : 0),
  isinf: (x) => (x === Infinity || x === -Infinity ? 1 : 0),
  isfinite: (x) => (Number.isFinite(x) ? 1 : 0),
  copy: (x) => x,
};

/** Python's float modulo: the result takes the divisor's sign. */
function remainder(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}

const BINARY: Record<BinaryKernel, F2> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  atan2: Math.atan2,
  fmod: (a, b) => a % b,
  remainder,
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logical_and: (a, b) => (a && b ? 1 : 0),
  logical_or: (a, b) => (a || b ? 1 : 0),
  logical_xor: (a, b) => ((a ? 1 : 0) !== (b ? 1 : 0) ? 1 : 0),
  // Float64 values; float32 arrays take float32.ts's loop (2b rounded to float32 first).
  square_backward: (a, b) => a * (2 * b),
  relu_backward: (a, b) => (b <= 0 ? 0 : a),
};

export function unary(op: UnaryKernel, x: TypedArray, out: TypedArray, p0: number, p1: number): void {
  const n = out.length;
  if (op === "copy") {
    out.set(x);
    return;
  }
  // At every size: the table's function called per element is not inlined once several ops
  // went through the loop below (a 16-element square op: 204 ns that way, 74 in its own loop).
  if (out instanceof Float32Array && x instanceof Float32Array) {
    const loop = unaryF32(op);
    if (loop !== null) {
      loop(x, out, n);
      return;
    }
  }
  const f = UNARY[op];
  for (let i = 0; i < n; i++) out[i] = f(x[i], p0, p1);
}

/** Strides of `shape` broadcast against `outShape` (0 along broadcast dims). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const nd = outShape.length;
  const s = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const od = nd - shape.length + i;
    s[od] = shape[i] === 1 && outShape[od] !== 1 ? 0 : acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Walks out's elements in order and calls `body(outIndex, offsets)` once per innermost row, with
 * each input's offset at the row start: the shared odometer of every broadcasting kernel.
 */
function forEachRow(outShape: Shape, strides: number[][], body: (o: number, offs: number[], len: number, inner: number[]) => void): void {
  const nd = outShape.length;
  const k = strides.length;
  const offs = new Array<number>(k).fill(0);
  if (nd === 0) {
    body(0, offs, 1, new Array<number>(k).fill(0));
    return;
  }
  const len = outShape[nd - 1];
  const inner = strides.map((s) => s[nd - 1]);
  const rows = len === 0 ? 0 : outShape.reduce((a, b) => a * b, 1) / len;
  const idx = new Array<number>(nd).fill(0);
  for (let r = 0, o = 0; r < rows; r++, o += len) {
    body(o, offs, len, inner);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (let j = 0; j < k; j++) offs[j] += strides[j][d];
      if (idx[d] < outShape[d]) break;
      for (let j = 0; j < k; j++) offs[j] -= strides[j][d] * idx[d];
      idx[d] = 0;
    }
  }
}

// The arithmetic ops get loops of their own: a call through `f` per element costs several ns.
function arith(op: BinaryKernel, a: TypedArray, as: number, b: TypedArray, bs: number, out: TypedArray, n: number): boolean {
  switch (op) {
    case "add":
      for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] + b[ib];
      return true;
    case "sub":
      for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] - b[ib];
      return true;
    case "mul":
      for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] * b[ib];
      return true;
    case "div":
      for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] / b[ib];
      return true;
    default:
      return false;
  }
}

export function binary(op: BinaryKernel, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const n = out.length;
  const as = a.length === n ? 1 : a.length === 1 ? 0 : -1;
  const bs = b.length === n ? 1 : b.length === 1 ? 0 : -1;
  // (Tiny arrays skip the type checks: they cost more than polymorphic loads save on a few elements.)
  // (square_backward takes its float32 loop at every size: it rounds 2b to float32 first.)
  if ((n >= 32 || op === "square_backward") && as >= 0 && bs >= 0 && out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) {
    const loop = arithF32(op);
    if (loop !== null) {
      loop(a, as, b, bs, out, n);
      return;
    }
  }
  // Arithmetic first: the table lookup below is a keyed load that is slow once every op went through it.
  if (as >= 0 && bs >= 0 && arith(op, a, as, b, bs, out, n)) return;
  const f = BINARY[op];
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1 && a.length === n) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], bv);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]);
    return;
  }
  broadcastBinary(f, a, aShape, b, bShape, out, outShape);
}

/**
 * The general broadcast of `binary`, a function of its own: its closure captures the arrays, and
 * parameters a closure captures live in a context object, so in `binary` itself every element
 * access of the inlined float32 loops reloaded them (measured: 200-element a+b 380 ns, 150 without).
 */
function broadcastBinary(f: F2, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  forEachRow(outShape, [sa, sb], (o, offs, len, inner) => {
    let ia = offs[0];
    let ib = offs[1];
    const ka = inner[0];
    const kb = inner[1];
    for (let i = 0; i < len; i++, ia += ka, ib += kb) out[o + i] = f(a[ia], b[ib]);
  });
}

export function addScaled(a: TypedArray, b: TypedArray, alpha: number, out: TypedArray): void {
  const n = out.length;
  if (out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) {
    // Both steps in float64 then rounded to float32 equal float32 arithmetic (one rounding each).
    const s = Math.fround(alpha);
    for (let i = 0; i < n; i++) out[i] = a[i] + Math.fround(b[i] * s);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i] * alpha;
}

export function where(cond: TypedArray, cShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const n = out.length;
  if (out instanceof Float32Array && cond instanceof Uint8Array && a instanceof Float32Array && b instanceof Float32Array) {
    const cs = cond.length === n ? 1 : cond.length === 1 ? 0 : -1;
    const as = a.length === n ? 1 : a.length === 1 ? 0 : -1;
    const bs = b.length === n ? 1 : b.length === 1 ? 0 : -1;
    if (cs >= 0 && as >= 0 && bs >= 0) {
      whereF32(cond, cs, a, as, b, bs, out, n);
      return;
    }
  }
  const sc = broadcastStrides(cShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  forEachRow(outShape, [sc, sa, sb], (o, offs, len, inner) => {
    let ic = offs[0];
    let ia = offs[1];
    let ib = offs[2];
    for (let i = 0; i < len; i++, ic += inner[0], ia += inner[1], ib += inner[2]) out[o + i] = cond[ic] ? a[ia] : b[ib];
  });
}

export function cast(x: TypedArray, out: TypedArray, toBool: boolean): void {
  const n = out.length;
  if (toBool) for (let i = 0; i < n; i++) out[i] = x[i] !== 0 ? 1 : 0;
  else if (out instanceof Int32Array) for (let i = 0; i < n; i++) out[i] = Math.trunc(x[i]);
  else out.set(x);
}

export function fill(out: TypedArray, value: number): void {
  out.fill(value);
}

export function arange(out: TypedArray, start: number, step: number): void {
  for (let i = 0; i < out.length; i++) out[i] = start + i * step;
}
