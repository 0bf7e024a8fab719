// Fused loss kernels in float32: each SIMD operation rounds to float32 where the separate ops
// (sub, square, sum; or the gradient's two products) round, so the result has the same bits.

import { hi, lo } from "./reduce";

/**
 * Σ (x−y)² over n float32 pairs, each difference and square rounded to float32, summed in f64
 * in the order of reduce.ts's sumContiguous (four f64x2 accumulators over blocks of eight, then
 * the tail), so the sum equals `sum(square(sub(x, y)))` on this backend.
 */
export function mseSumF32(x: usize, y: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(x + o), v128.load(y + o));
    const e = f32x4.sub(v128.load(x + o, 16), v128.load(y + o, 16));
    const v = f32x4.mul(d, d);
    const w = f32x4.mul(e, e);
    s0 = f64x2.add(s0, lo(v));
    s1 = f64x2.add(s1, hi(v));
    s2 = f64x2.add(s2, lo(w));
    s3 = f64x2.add(s3, hi(w));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(x + o) - load<f32>(y + o);
    t += <f64>(d * d);
  }
  return t;
}

/** PyTorch's mse_loss_backward over n float32: out = (norm·(x − y))·g, rounded at each step. */
export function mseBackwardF32(x: usize, y: usize, out: usize, n: i32, norm: f32, g: f32): void {
  const vn = f32x4.splat(norm), vg = f32x4.splat(g);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(f32x4.mul(vn, f32x4.sub(v128.load(x + o), v128.load(y + o))), vg));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, norm * (load<f32>(x + o) - load<f32>(y + o)) * g);
  }
}
