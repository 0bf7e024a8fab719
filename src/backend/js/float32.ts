// Float32 loops of the elementwise ops of a training step (+ − × ÷, square, neg, relu, exp, log,
// the common activations) and of the fused gradients (square's, relu's).
//
// They only ever see Float32Arrays, so V8 compiles monomorphic element accesses (the shared loops
// of elementwise.ts dispatch on four array types per access). Each op is a small function of its
// own: with all the loops in one function behind a switch, V8 compiled every loop of it about
// 3× slower (measured at 200 elements, a·b: 360 ns in one 12-loop function, 115 ns alone).
// Same values as the shared loops: one float64 operation rounded once to float32.

import { erf } from "./erf.js";

// The scalar formulas of the activations, used by these loops and by elementwise.ts's table of
// unary ops, so both compute the same values. (Function declarations: as module-level const
// arrows they measured 5–10% slower in the loops.)

const SQRT_2_OVER_PI = 0.7978845608028654;

/** 1 / (1 + e^−x), in two branches that keep exp from overflowing for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** max(x, 0), NaN kept. */
export function relu(x: number): number {
  return x > 0 ? x : x !== x ? x : 0;
}

export function silu(x: number): number {
  return x * sigmoid(x);
}

/** x·Φ(x), the exact form. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** GELU's tanh approximation. */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** a op b for operands of stride 1 (whole) or 0 (one value); other strides walk both. */
type ArithF32 = (a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number) => void;

function addF32(a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (as === 1 && bs === 1) {
    for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
  } else if (as === 1 && bs === 0) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] + bv;
  } else {
    for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] + b[ib];
  }
}

function subF32(a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (as === 1 && bs === 1) {
    for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
  } else if (as === 1 && bs === 0) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] - bv;
  } else {
    for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] - b[ib];
  }
}

function mulF32(a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (as === 1 && bs === 1) {
    for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
  } else if (as === 1 && bs === 0) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] * bv;
  } else {
    for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] * b[ib];
  }
}

function divF32(a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (as === 1 && bs === 1) {
    for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
  } else if (as === 1 && bs === 0) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] / bv;
  } else {
    for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] / b[ib];
  }
}

/** g·(2x) with 2x rounded to float32 first (it overflows to ∞ where float32 does), as mul(g, mul(x, 2)). */
function squareBackwardF32(a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (as === 1 && bs === 1) {
    for (let i = 0; i < n; i++) out[i] = a[i] * Math.fround(2 * b[i]);
  } else {
    for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = a[ia] * Math.fround(2 * b[ib]);
  }
}

/** relu's gradient a from its result b: 0 where b ≤ 0, else a (threshold_backward). */
function reluBackwardF32(a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (as === 1 && bs === 1) {
    for (let i = 0; i < n; i++) out[i] = b[i] <= 0 ? 0 : a[i];
  } else {
    for (let i = 0, ia = 0, ib = 0; i < n; i++, ia += as, ib += bs) out[i] = b[ib] <= 0 ? 0 : a[ia];
  }
}

/** The float32 loop of a binary kernel, or null for the ops without one. */
export function arithF32(op: string): ArithF32 | null {
  switch (op) {
    case "add": return addF32;
    case "sub": return subF32;
    case "mul": return mulF32;
    case "div": return divF32;
    case "square_backward": return squareBackwardF32;
    case "relu_backward": return reluBackwardF32;
    default: return null;
  }
}

/**
 * where(cond, a, b) over float32 operands each whole (stride 1) or one value (stride 0), cond whole
 * or one value: the general broadcasting loop took 8 ns per element (relu's backward at 128×256:
 * 266 µs), this one about 1.
 */
export function whereF32(c: Uint8Array, cs: number, a: Float32Array, as: number, b: Float32Array, bs: number, out: Float32Array, n: number): void {
  if (cs === 1 && as === 0 && bs === 1) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = c[i] ? av : b[i];
  } else if (cs === 1 && as === 1 && bs === 0) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = c[i] ? a[i] : bv;
  } else {
    for (let i = 0, ic = 0, ia = 0, ib = 0; i < n; i++, ic += cs, ia += as, ib += bs) out[i] = c[ic] ? a[ia] : b[ib];
  }
}

type UnaryF32 = (x: Float32Array, out: Float32Array, n: number) => void;

function squareF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = v * v;
  }
}

function negF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = -x[i];
}

function reluF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = relu(x[i]);
}

function expF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
}

function logF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
}

// The activations and math functions (activations.ts's formulas, called directly so V8 inlines
// them): through the table the shared loop took 5–9 ns per element (a 128×256 tanh: 260 µs).

function tanhF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
}

function sigmoidF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]);
}

function sqrtF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
}

function rsqrtF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]);
}

function absF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
}

function reciprocalF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = 1 / x[i];
}

function siluF32(x: Float32Array, out: Float32Array, n: number): void {
  // silu(v) written out: through silu then sigmoid (two calls deep) it measured 6% slower.
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = v * sigmoid(v);
  }
}

function geluF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = gelu(x[i]);
}

function geluTanhF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = geluTanh(x[i]);
}

/** The float32 loop of a unary kernel, or null for the ops without one. */
export function unaryF32(op: string): UnaryF32 | null {
  switch (op) {
    case "square": return squareF32;
    case "neg": return negF32;
    case "relu": return reluF32;
    case "exp": return expF32;
    case "log": return logF32;
    case "tanh": return tanhF32;
    case "sigmoid": return sigmoidF32;
    case "sqrt": return sqrtF32;
    case "rsqrt": return rsqrtF32;
    case "abs": return absF32;
    case "reciprocal": return reciprocalF32;
    case "silu": return siluF32;
    case "gelu": return geluF32;
    case "gelu_tanh": return geluTanhF32;
    default: return null;
  }
}
