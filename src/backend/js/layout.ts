import type { TypedArray } from "../../tensor/dtype.js";
import type { Shape } from "../../tensor/shape.js";

// Both walk the out (resp. src) shape in row-major order with an odometer over input offsets.

export function stridedGather(x: TypedArray, offset: number, strides: readonly number[], outShape: Shape, out: TypedArray): void {
  const nd = outShape.length;
  const n = out.length;
  if (nd === 0) {
    if (n) out[0] = x[offset];
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = outShape[nd - 1];
  const ls = strides[nd - 1];
  let off = offset;
  for (let i = 0; i < n; i += last) {
    for (let j = 0, p = off; j < last; j++, p += ls) out[i + j] = x[p];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < outShape[d]) break;
      off -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

export function stridedScatterAdd(src: TypedArray, srcShape: Shape, dst: TypedArray, offset: number, strides: readonly number[]): void {
  const nd = srcShape.length;
  const n = src.length;
  if (nd === 0) {
    if (n) dst[offset] += src[0];
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = srcShape[nd - 1];
  const ls = strides[nd - 1];
  let off = offset;
  for (let i = 0; i < n; i += last) {
    for (let j = 0, p = off; j < last; j++, p += ls) dst[p] += src[i + j];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < srcShape[d]) break;
      off -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}
