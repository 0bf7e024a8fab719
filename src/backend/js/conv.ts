import type { TypedArray } from "../../tensor/dtype.js";
import type { WindowGeometry } from "../backend.js";

// Column layout [N, C*kh*kw, oh*ow]: row (c, ki, kj), column (oi, oj), as im2col in Caffe/PyTorch.
export function im2col(x: TypedArray, g: WindowGeometry, padValue: number, out: TypedArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const img = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oi = 0; oi < oh; oi++) {
            const y = oi * sh - ph + ki * dh;
            const rowOk = y >= 0 && y < h;
            for (let oj = 0; oj < ow; oj++, o++) {
              const xx = oj * sw - pw + kj * dw;
              out[o] = rowOk && xx >= 0 && xx < w ? x[img + y * w + xx] : padValue;
            }
          }
        }
      }
    }
  }
}

export function col2im(cols: TypedArray, g: WindowGeometry, out: TypedArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const img = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oi = 0; oi < oh; oi++) {
            const y = oi * sh - ph + ki * dh;
            const rowOk = y >= 0 && y < h;
            for (let oj = 0; oj < ow; oj++, o++) {
              const xx = oj * sw - pw + kj * dw;
              if (rowOk && xx >= 0 && xx < w) out[img + y * w + xx] += cols[o];
            }
          }
        }
      }
    }
  }
}
