import type { TypedArray } from "../../tensor/dtype.js";
import { numel, stridesOf, type Shape } from "../../tensor/shape.js";

// Index dims may be smaller than x's (gather allows it), so positions go through full coordinates
// rather than an [outer, dim, inner] view.

/** Calls body(i, base) for each element i of `iShape`, with base = offset in `xShape` of i's coordinates except along `dim`. */
function walk(iShape: Shape, xShape: Shape, dim: number, body: (i: number, base: number) => void): void {
  const nd = iShape.length;
  const xs = stridesOf(xShape);
  const n = numel(iShape);
  const idx = new Array<number>(nd).fill(0);
  let base = 0;
  for (let i = 0; i < n; i++) {
    body(i, base);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      if (d !== dim) base += xs[d];
      if (idx[d] < iShape[d]) break;
      if (d !== dim) base -= xs[d] * idx[d];
      idx[d] = 0;
    }
  }
}

export function gather(x: TypedArray, xShape: Shape, dim: number, index: TypedArray, indexShape: Shape, out: TypedArray): void {
  const stride = stridesOf(xShape)[dim] ?? 1;
  walk(indexShape, xShape, dim, (i, base) => {
    out[i] = x[base + index[i] * stride];
  });
}

export function scatterAdd(dst: TypedArray, dstShape: Shape, dim: number, index: TypedArray, indexShape: Shape, src: TypedArray): void {
  const stride = stridesOf(dstShape)[dim] ?? 1;
  walk(indexShape, dstShape, dim, (i, base) => {
    dst[base + index[i] * stride] += src[i];
  });
}
