import type { TypedArray } from "../../tensor/dtype.js";
import type { MatmulLayout } from "../backend.js";

/** Σ_p a[pa + p·ap] · b[pb + p·bp] over k terms, accumulated in float64. */
function dot(a: TypedArray, pa: number, ap: number, b: TypedArray, pb: number, bp: number, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++, pa += ap, pb += bp) s += a[pa] * b[pb];
  return s;
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
  for (let bi = 0; bi < batches; bi++) {
    const ao = l.aOffsets[bi];
    const bo = l.bOffsets[bi];
    const co = bi * m * n;
    if (k === 1) {
      outer(a, ao, ai, b, bo, bj, out, co, m, n);
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
      } else {
        for (let j = 0; j < n; j++) out[co + i * n + j] = dot(a, arow, ap, b, bo + j * bj, bp, k);
      }
    }
  }
}
