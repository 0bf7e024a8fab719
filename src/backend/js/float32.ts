// Float32 loops of the elementwise ops of a training step (+ − × ÷, square, neg, relu, exp, log).
//
// They only ever see Float32Arrays, so V8 compiles monomorphic element accesses (the shared loops
// of elementwise.ts dispatch on four array types per access). Each op is a small function of its
// own: with all the loops in one function behind a switch, V8 compiled every loop of it about
// 3× slower (measured at 200 elements, a·b: 360 ns in one 12-loop function, 115 ns alone).
// Same values as the shared loops: one float64 operation rounded once to float32.

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

/** The float32 loop of a binary kernel, or null for the ops without one. */
export function arithF32(op: string): ArithF32 | null {
  switch (op) {
    case "add": return addF32;
    case "sub": return subF32;
    case "mul": return mulF32;
    case "div": return divF32;
    default: return null;
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
  for (let i = 0; i < n; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : v !== v ? v : 0;
  }
}

function expF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
}

function logF32(x: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
}

/** The float32 loop of a unary kernel, or null for the ops without one. */
export function unaryF32(op: string): UnaryF32 | null {
  switch (op) {
    case "square": return squareF32;
    case "neg": return negF32;
    case "relu": return reluF32;
    case "exp": return expF32;
    case "log": return logF32;
    default: return null;
  }
}
