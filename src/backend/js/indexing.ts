import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";

// x viewed as [outer, size_dim, inner]; index as [outer, idx_dim, inner'] with inner' ≤ inner
// handled through full coordinates, since gather allows index dims smaller than x's.
function coords(shape: Shape): { strides: number[]; n: number } {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  return { strides, n: acc };
}

/** Calls body(i, base) for each element i of `iShape`, with base = offset in `xShape` of i's coordinates except along `dim`. */
function walk(iShape: Shape, xShape: Shape, dim: number, body: (i: number, base: number) => void): void {
  const nd = iShape.length;
  const xs = coords(xShape).strides;
  const { n } = coords(iShape);
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
  const stride = coords(xShape).strides[dim] ?? 1;
  walk(indexShape, xShape, dim, (i, base) => {
    out[i] = x[base + index[i] * stride];
  });
}

export function scatterAdd(dst: TypedArray, dstShape: Shape, dim: number, index: TypedArray, indexShape: Shape, src: TypedArray): void {
  const stride = coords(dstShape).strides[dim] ?? 1;
  walk(indexShape, dstShape, dim, (i, base) => {
    dst[base + index[i] * stride] += src[i];
  });
}
