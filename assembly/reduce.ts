// Sums of f32 data viewed as [outer, r, inner], reducing the middle axis, accumulated in f64 as
// the JS kernels do (so both backends round the same exact-ish sum to f32).

// The low and the high two lanes of an f32x4 as an f64x2 (also used by losses.ts).
// @ts-ignore: decorator
@inline
export function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline
export function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Sum of n contiguous f32 values, in f64. */
function sumContiguous(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    const v = v128.load(p);
    const w = v128.load(p, 16);
    s0 = f64x2.add(s0, lo(v));
    s1 = f64x2.add(s1, hi(v));
    s2 = f64x2.add(s2, lo(w));
    s3 = f64x2.add(s3, hi(w));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) t += <f64>load<f32>(x + (<usize>i << 2));
  return t;
}

/**
 * out[o, j] = Σ_p x[o, p, j] for x of shape [outer, r, inner] (contiguous). `acc` is scratch
 * of inner f64 values (8-byte aligned).
 */
export function sumAxis(x: usize, outer: i32, r: i32, inner: i32, out: usize, acc: usize): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      store<f32>(out + (<usize>o << 2), <f32>sumContiguous(x + (<usize>(o * r) << 2), r));
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, <usize>inner << 3);
    const base = x + (<usize>(o * r * inner) << 2);
    for (let p = 0; p < r; p++) {
      const row = base + (<usize>(p * inner) << 2);
      let j = 0;
      for (; j + 4 <= inner; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        const a = acc + (<usize>j << 3);
        v128.store(a, f64x2.add(v128.load(a), lo(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), hi(v)), 16);
      }
      for (; j < inner; j++) {
        const a = acc + (<usize>j << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
      }
    }
    const ob = out + (<usize>(o * inner) << 2);
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      const a = acc + (<usize>j << 3);
      const l = f32x4.demote_f64x2_zero(v128.load(a));
      const h = f32x4.demote_f64x2_zero(v128.load(a, 16));
      v128.store(ob + (<usize>j << 2), v128.shuffle<f32>(l, h, 0, 1, 4, 5));
    }
    for (; j < inner; j++) store<f32>(ob + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
  }
}

/**
 * Σ a[p]·b[p] over n contiguous f32 pairs, in f64 (each product is exact in f64, as in the JS
 * kernel's dot; the sum is taken over eight partial sums, so it may differ from the JS kernel's
 * in-order sum in the last bits of f64, like `sum`).
 */
export function dotF32(a: usize, b: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 2;
    const x = v128.load(a + off);
    const y = v128.load(b + off);
    const z = v128.load(a + off, 16);
    const w = v128.load(b + off, 16);
    s0 = f64x2.add(s0, f64x2.mul(lo(x), lo(y)));
    s1 = f64x2.add(s1, f64x2.mul(hi(x), hi(y)));
    s2 = f64x2.add(s2, f64x2.mul(lo(z), lo(w)));
    s3 = f64x2.add(s3, f64x2.mul(hi(z), hi(w)));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) t += <f64>load<f32>(a + (<usize>i << 2)) * <f64>load<f32>(b + (<usize>i << 2));
  return t;
}
