// Single-precision matrix product C = A·B with packing and a 4×8 f32x4 register tile.
//
// V8's WebAssembly uses 16 xmm registers: a 4×8 tile holds 8 accumulators, 2 B vectors and 1
// broadcast A value, so nothing spills (larger tiles measured slower). A and B are read through
// general strides, so transposed operands need no copy: packing reorders them anyway.

/** Rows of C per register tile. */
const MR = 4;
/** Columns of C per register tile (two f32x4). */
const NR = 8;
/** Depth of one packed block: a B micro-panel (KC×NR floats = 8 KiB) stays in L1. */
export const KC = 256;
/** Rows of A per packed block (MC×KC floats = 128 KiB, in L2). */
export const MC = 128;
/** Columns of B per packed block (KC×NC floats = 512 KiB). */
export const NC = 512;

/** Bytes of scratch one thread needs: packed A, packed B and one edge tile. */
export function scratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// Reads 4 vectors of 4 floats at src, src + stride, … and stores them transposed: element q of
// vector r goes to lane r of the vector stored at dst + q·dstride.
// @ts-ignore: decorator
@inline
function transpose4(src: usize, stride: usize, dst: usize, dstride: usize): void {
  const x0 = v128.load(src);
  const x1 = v128.load(src + stride);
  const x2 = v128.load(src + stride * 2);
  const x3 = v128.load(src + stride * 3);
  const l01 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const l23 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const h01 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const h23 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(l01, l23, 0, 1, 4, 5));
  v128.store(dst + dstride, v128.shuffle<f32>(l01, l23, 2, 3, 6, 7));
  v128.store(dst + dstride * 2, v128.shuffle<f32>(h01, h23, 0, 1, 4, 5));
  v128.store(dst + dstride * 3, v128.shuffle<f32>(h01, h23, 2, 3, 6, 7));
}

// Packs rows [0, mb) × depth [0, kb) of A (element (i, p) at a + 4*(i*rs + p*cs)) into panels of
// MR rows: panel r holds, for each p, the MR values A(r*MR + 0..MR-1, p); missing rows are zero.
function packA(a: usize, rs: i32, cs: i32, mb: i32, kb: i32, dst: usize): void {
  for (let i0 = 0; i0 < mb; i0 += MR) {
    const rows = min(MR, mb - i0);
    if (rows == MR && rs == 1) {
      // Column-major source (A transposed): the MR values are contiguous.
      for (let p = 0; p < kb; p++) {
        v128.store(dst, v128.load(a + ((<usize>i0 + <usize>p * cs) << 2)));
        dst += MR * 4;
      }
    } else if (rows == MR && cs == 1) {
      // Row-major source: 4 depths of each of the 4 rows per step, transposed in registers
      // (scalar packing measured ~5% of a 1024 product, which packs A once per column block).
      const r0 = a + (<usize>(i0 * rs) << 2);
      const stride = <usize>rs << 2;
      let p = 0;
      for (; p + 4 <= kb; p += 4) {
        transpose4(r0 + (<usize>p << 2), stride, dst, MR * 4);
        dst += MR * 16;
      }
      for (; p < kb; p++) {
        const o = <usize>p << 2;
        store<f32>(dst, load<f32>(r0 + o));
        store<f32>(dst, load<f32>(r0 + stride + o), 4);
        store<f32>(dst, load<f32>(r0 + stride * 2 + o), 8);
        store<f32>(dst, load<f32>(r0 + stride * 3 + o), 12);
        dst += MR * 4;
      }
    } else if (rows == MR) {
      const r0 = a + (<usize>(i0 * rs) << 2);
      const r1 = r0 + (<usize>rs << 2);
      const r2 = r1 + (<usize>rs << 2);
      const r3 = r2 + (<usize>rs << 2);
      for (let p = 0; p < kb; p++) {
        const o = <usize>(p * cs) << 2;
        store<f32>(dst, load<f32>(r0 + o));
        store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8);
        store<f32>(dst, load<f32>(r3 + o), 12);
        dst += MR * 4;
      }
    } else {
      for (let p = 0; p < kb; p++) {
        for (let r = 0; r < MR; r++) {
          const v: f32 = r < rows ? load<f32>(a + (<usize>((i0 + r) * rs + p * cs) << 2)) : 0;
          store<f32>(dst + (<usize>r << 2), v);
        }
        dst += MR * 4;
      }
    }
  }
}

// Packs depth [0, kb) × columns [0, nb) of B (element (p, j) at b + 4*(p*rs + j*cs)) into panels
// of NR columns: panel c holds, for each p, B(p, c*NR + 0..NR-1); missing columns are zero.
function packB(b: usize, rs: i32, cs: i32, kb: i32, nb: i32, dst: usize): void {
  for (let j0 = 0; j0 < nb; j0 += NR) {
    const cols = min(NR, nb - j0);
    if (cols == NR && cs == 1) {
      for (let p = 0; p < kb; p++) {
        const src = b + (<usize>(p * rs + j0) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += NR * 4;
      }
    } else if (cols == NR && rs == 1) {
      // B transposed: column j is contiguous along p. Read 4 columns × 4 depths and transpose.
      const c0 = b + (<usize>(j0 * cs) << 2);
      const stride = <usize>cs << 2;
      let p = 0;
      for (; p + 4 <= kb; p += 4) {
        const po = <usize>p << 2;
        transpose4(c0 + po, stride, dst, NR * 4);
        transpose4(c0 + stride * 4 + po, stride, dst + 16, NR * 4);
        dst += NR * 16;
      }
      for (; p < kb; p++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), load<f32>(c0 + stride * <usize>c + (<usize>p << 2)));
        dst += NR * 4;
      }
    } else {
      for (let p = 0; p < kb; p++) {
        for (let c = 0; c < NR; c++) {
          const v: f32 = c < cols ? load<f32>(b + (<usize>(p * rs + (j0 + c) * cs) << 2)) : 0;
          store<f32>(dst + (<usize>c << 2), v);
        }
        dst += NR * 4;
      }
    }
  }
}

// c + a·b. Where the host has relaxed SIMD (the build makes a variant with it), one fused
// multiply-add: V8 then emits vfmadd, whose one instruction per product instead of two measured
// 54 GFLOP/s against 48.7 for mul + add on this kernel's loop (the loop is instruction-bound:
// both forms keep the FP pipes equally busy). Products then round once per term instead of
// twice, as BLAS kernels on FMA hardware do.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// One MR×NR tile of C (row stride ldc floats) from packed panels ap (kb×MR) and bp (kb×NR).
// `acc` adds to C instead of overwriting it. Edge tiles go through `edge` and are copied after.
// @ts-ignore: decorator
@inline
function tile(kb: i32, ap: usize, bp: usize, c: usize, ldc: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Bounded by pointer, not by a counter: one register less in the loop, measured 7% faster.
  const bend = bp + (<usize>kb << 5);
  while (bp < bend) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR * 4;
    bp += NR * 4;
  }
  const ld = <usize>ldc << 2;
  const r1 = c + ld;
  const r2 = r1 + ld;
  const r3 = r2 + ld;
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/**
 * C[m×n] (row stride ldc) = A·B, or += when `accumulate`. A's element (i, p) is at
 * a + 4*(i*ars + p*acs), B's (p, j) at b + 4*(p*brs + j*bcs). `work` is scratchBytes() of
 * 16-byte-aligned scratch owned by the calling thread.
 */
export function sgemm(
  m: i32, n: i32, k: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, accumulate: bool, work: usize,
): void {
  const pa = work;
  const pb = pa + <usize>(MC * KC * 4);
  const edge = pb + <usize>(KC * NC * 4);
  if (k == 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  // Depth blocks of equal size (a multiple of 4, at most KC): k = 784 as 4 × 196 rather than
  // 3 × 256 + 16, whose thin last block paid the packing and C-tile traffic of a full one.
  const kblocks = (k + KC - 1) / KC;
  const kstep = min(KC, (((k + kblocks - 1) / kblocks + 3) >> 2) << 2);
  for (let jc = 0; jc < n; jc += NC) {
    const nb = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kstep) {
      const kb = min(kstep, k - pc);
      const acc = accumulate || pc > 0;
      packB(b + (<usize>(pc * brs + jc * bcs) << 2), brs, bcs, kb, nb, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mb = min(MC, m - ic);
        packA(a + (<usize>(ic * ars + pc * acs) << 2), ars, acs, mb, kb, pa);
        for (let jr = 0; jr < nb; jr += NR) {
          const cols = min(NR, nb - jr);
          const bp = pb + (<usize>(jr * kb) << 2);
          for (let ir = 0; ir < mb; ir += MR) {
            const rows = min(MR, mb - ir);
            const ap = pa + (<usize>(ir * kb) << 2);
            const ct = c + (<usize>((ic + ir) * ldc + jc + jr) << 2);
            if (rows == MR && cols == NR) {
              tile(kb, ap, bp, ct, ldc, acc);
            } else {
              tile(kb, ap, bp, edge, NR, false);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = ct + (<usize>(r * ldc + q) << 2);
                  const v = load<f32>(edge + (<usize>(r * NR + q) << 2));
                  store<f32>(dst, acc ? load<f32>(dst) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}
