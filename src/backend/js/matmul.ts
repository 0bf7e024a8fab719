import type { TypedArray } from "../../tensor/dtype.js";
import type { MatmulLayout } from "../backend.js";

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
  const rowWise = !transB && n >= 8;
  const acc = rowWise ? new Float64Array(n) : null;
  for (let bi = 0; bi < batches; bi++) {
    const ao = l.aOffsets[bi];
    const bo = l.bOffsets[bi];
    const co = bi * m * n;
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
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0, pa = arow, pb = bo + j * bj; p < k; p++, pa += ap, pb += bp) s += a[pa] * b[pb];
          out[co + i * n + j] = s;
        }
      }
    }
  }
}
