import type { TypedArray } from "../../tensor/dtype.js";
import type { MatmulLayout } from "../backend.js";

// Plain loops ordered so the innermost one walks memory contiguously for each transpose case.
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, l: MatmulLayout): void {
  const { m, k, n, transA, transB } = l;
  const batches = l.aOffsets.length;
  const acc = new Float64Array(n);
  for (let bi = 0; bi < batches; bi++) {
    const ao = l.aOffsets[bi];
    const bo = l.bOffsets[bi];
    const co = bi * m * n;
    for (let i = 0; i < m; i++) {
      if (!transB) {
        acc.fill(0);
        for (let p = 0; p < k; p++) {
          const av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
          const brow = bo + p * n;
          for (let j = 0; j < n; j++) acc[j] += av * b[brow + j];
        }
        for (let j = 0; j < n; j++) out[co + i * n + j] = acc[j];
      } else {
        for (let j = 0; j < n; j++) {
          let s = 0;
          const brow = bo + j * k;
          if (transA) for (let p = 0; p < k; p++) s += a[ao + p * m + i] * b[brow + p];
          else {
            const arow = ao + i * k;
            for (let p = 0; p < k; p++) s += a[arow + p] * b[brow + p];
          }
          out[co + i * n + j] = s;
        }
      }
    }
  }
}
