import type { TypedArray } from "../../tensor/dtype.js";
import type { MatmulLayout } from "../backend.js";

/** Σ_p a[pa + p·ap] · b[pb + p·bp] over k terms, accumulated in float64. */
function dot(a: TypedArray, pa: number, ap: number, b: TypedArray, pb: number, bp: number, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++, pa += ap, pb += bp) s += a[pa] * b[pb];
  return s;
}

/**
 * `dot` and `outer` for float32 operands: copies that only ever see Float32Arrays, so V8 compiles
 * monomorphic loads (W1's [200,1]·[1,1] and its [1,200]·[200,1] gradient run here).
 */
function dotF32(a: Float32Array, pa: number, ap: number, b: Float32Array, pb: number, bp: number, k: number): number {
  // Unrolled by four with one accumulator: the same order of additions as the plain loop, with
  // a quarter of its loop overhead (W1's 200-term gradient: 0.43 µs to 0.28).
  let s = 0;
  let p = 0;
  for (; p + 4 <= k; p += 4, pa += 4 * ap, pb += 4 * bp) {
    s += a[pa] * b[pb];
    s += a[pa + ap] * b[pb + bp];
    s += a[pa + 2 * ap] * b[pb + 2 * bp];
    s += a[pa + 3 * ap] * b[pb + 3 * bp];
  }
  for (; p < k; p++, pa += ap, pb += bp) s += a[pa] * b[pb];
  return s;
}

function outerF32(a: Float32Array, ao: number, ai: number, b: Float32Array, bo: number, bj: number, out: Float32Array, co: number, m: number, n: number): void {
  if (n === 1) {
    const bv = b[bo];
    let i = 0;
    let pa = ao;
    for (; i + 4 <= m; i += 4, pa += 4 * ai) {
      out[co + i] = a[pa] * bv + 0;
      out[co + i + 1] = a[pa + ai] * bv + 0;
      out[co + i + 2] = a[pa + 2 * ai] * bv + 0;
      out[co + i + 3] = a[pa + 3 * ai] * bv + 0;
    }
    for (; i < m; i++, pa += ai) out[co + i] = a[pa] * bv + 0;
    return;
  }
  for (let i = 0, pa = ao, c = co; i < m; i++, pa += ai) {
    const av = a[pa];
    for (let j = 0, pb = bo; j < n; j++, pb += bj, c++) out[c] = av * b[pb] + 0;
  }
}

/**
 * C = A·B when k = 1 (x @ w with one input feature): one multiply per output, without an inner
 * loop to set up per element. `+ 0` gives the sign of zero the dot product's `0 + a·b` gives.
 */
function outer(a: TypedArray, ao: number, ai: number, b: TypedArray, bo: number, bj: number, out: TypedArray, co: number, m: number, n: number): void {
  if (n === 1) {
    const bv = b[bo];
    for (let i = 0, pa = ao; i < m; i++, pa += ai) out[co + i] = a[pa] * bv + 0;
    return;
  }
  for (let i = 0, pa = ao, c = co; i < m; i++, pa += ai) {
    const av = a[pa];
    for (let j = 0, pb = bo; j < n; j++, pb += bj, c++) out[c] = av * b[pb] + 0;
  }
}

// Plain loops; each output element is one float64 dot product, with operand strides chosen by
// the transpose flags. For wide outputs a row accumulator keeps B's rows contiguous instead.
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, l: MatmulLayout): void {
  const { m, k, n, transA, transB } = l;
  const batches = l.aOffsets.length;
  // Element (i, p) of A is at ao + i*ai + p*ap; (p, j) of B at bo + p*bp + j*bj.
  const ai = transA ? 1 : k;
  const ap = transA ? m : 1;
  const bp = transB ? 1 : n;
  const bj = transB ? k : 1;
  const rowWise = !transB && n >= 8 && k > 1;
  const acc = rowWise ? new Float64Array(n) : null;
  const f32 = a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array;
  for (let bi = 0; bi < batches; bi++) {
    const ao = l.aOffsets[bi];
    const bo = l.bOffsets[bi];
    const co = bi * m * n;
    if (k === 1) {
      if (f32) outerF32(a as Float32Array, ao, ai, b as Float32Array, bo, bj, out as Float32Array, co, m, n);
      else outer(a, ao, ai, b, bo, bj, out, co, m, n);
      continue;
    }
    for (let i = 0; i < m; i++) {
      const arow = ao + i * ai;
      if (acc !== null) {
        for (let j = 0; j < n; j++) acc[j] = 0;
        for (let p = 0; p < k; p++) {
          const av = a[arow + p * ap];
          const brow = bo + p * n;
          for (let j = 0; j < n; j++) acc[j] += av * b[brow + j];
        }
        for (let j = 0; j < n; j++) out[co + i * n + j] = acc[j];
      } else if (f32) {
        for (let j = 0; j < n; j++) out[co + i * n + j] = dotF32(a as Float32Array, arow, ap, b as Float32Array, bo + j * bj, bp, k);
      } else {
        for (let j = 0; j < n; j++) out[co + i * n + j] = dot(a, arow, ap, b, bo + j * bj, bp, k);
      }
    }
  }
}
