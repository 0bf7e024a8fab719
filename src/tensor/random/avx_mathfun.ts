/**
 * Scalar, bit-exact replicas of the float32 `log256_ps` and `sincos256_ps`
 * (Cephes polynomials, via Pommier's avx_mathfun.h) that PyTorch's AVX2
 * `normal_fill` uses for float tensors of 16+ elements.
 *
 * These are not libm functions: their results differ from the correctly
 * rounded log/sin/cos in the last bits, so PyTorch's normals can only be
 * matched by running the same float operations in the same order. Every step
 * is float32 (Math.fround). Where GCC contracts a multiply feeding an add into
 * one FMA (x86-64 builds with -mfma, as PyTorch's AVX2 kernels are), we use a
 * fused step (`fmaf`); GCC fuses the first product in statement order. This
 * contraction pattern was checked against code compiled by GCC 12 (-O2 and
 * -O3, -mavx2 -mfma) on 1.6M values and against PyTorch 1.13's own output.
 */
import { fmaf } from "./fma.js";

const f = Math.fround;

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

const SQRTHF = f(0.707106781186547524);
const LOG_P0 = f(7.0376836292e-2);
const LOG_P1 = f(-1.151461031e-1);
const LOG_P2 = f(1.167699874e-1);
const LOG_P3 = f(-1.2420140846e-1);
const LOG_P4 = f(1.4249322787e-1);
const LOG_P5 = f(-1.6668057665e-1);
const LOG_P6 = f(2.0000714765e-1);
const LOG_P7 = f(-2.4999993993e-1);
const LOG_P8 = f(3.3333331174e-1);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = f(0.693359375);
const MIN_NORM = 2 ** -126;

/** `log256_ps` for one lane: natural log of a float32 x (NaN for x <= 0). */
export function logAvx2(x: number): number {
  if (!(x > 0)) return NaN;
  if (x < MIN_NORM) x = MIN_NORM; // avx_mathfun cuts denormals off
  // Split x into exponent e and a mantissa in [0.5, 1).
  F32[0] = x;
  const bits = I32[0]!;
  let e = ((bits >>> 23) & 0xff) - 0x7f + 1;
  I32[0] = (bits & ~0x7f800000) | 0x3f000000;
  let m = F32[0]!;
  // Bring the mantissa to [sqrt(1/2) - 1, sqrt(2) - 1).
  if (m < SQRTHF) {
    e -= 1;
    m = f(f(m - 1) + m);
  } else {
    m = f(m - 1);
  }
  const z = f(m * m);
  let y = LOG_P0;
  y = fmaf(y, m, LOG_P1);
  y = fmaf(y, m, LOG_P2);
  y = fmaf(y, m, LOG_P3);
  y = fmaf(y, m, LOG_P4);
  y = fmaf(y, m, LOG_P5);
  y = fmaf(y, m, LOG_P6);
  y = fmaf(y, m, LOG_P7);
  y = fmaf(y, m, LOG_P8);
  y = f(y * m);
  // y*z + e*q1: GCC fuses the first product (y*z); e*q1 is rounded on its own.
  y = fmaf(y, z, f(e * LOG_Q1));
  y = f(y - f(z * 0.5)); // z*0.5 is exact, so the fused form is the same value
  return fmaf(e, LOG_Q2, f(m + y));
}

const FOPI = f(1.27323954473516); // 4 / pi
const DP1 = f(-0.78515625);
const DP2 = f(-2.4187564849853515625e-4);
const DP3 = f(-3.77489497744594108e-8);
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);

/** Results of the last {@link sincosAvx2} call (scratch slots avoid allocating a pair per call). */
export const sincosOut = { sin: 0, cos: 0 };

/** `sincos256_ps` for one lane: writes sin(x) and cos(x) of a float32 x into {@link sincosOut}. */
export function sincosAvx2(x: number): void {
  let sinNegative = x < 0 || Object.is(x, -0);
  x = Math.abs(x);
  // Octant index j, rounded up to even (Cephes' j = (j + 1) & ~1).
  let j = Math.trunc(f(x * FOPI));
  j = (j + 1) & ~1;
  const y = j; // small integer: exact as float32
  if (j & 4) sinNegative = !sinNegative;
  const cosNegative = ((j - 2) & 4) === 0;
  const sinPoly = (j & 2) === 0; // sin uses the sine polynomial in octants 0, 3 (mod 4)
  // Extended-precision reduction x - y*pi/4, one fused step per constant.
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const z = f(x * x);
  // Cosine polynomial; in (y*z)*z - z*0.5 GCC fuses the product y*z*z.
  let yc = COS_P0;
  yc = fmaf(yc, z, COS_P1);
  yc = fmaf(yc, z, COS_P2);
  yc = f(yc * z);
  yc = fmaf(yc, z, -f(z * 0.5));
  yc = f(yc + 1);
  // Sine polynomial.
  let ys = SIN_P0;
  ys = fmaf(ys, z, SIN_P1);
  ys = fmaf(ys, z, SIN_P2);
  ys = f(ys * z);
  ys = fmaf(ys, x, x);
  // The vector code selects with masks and adds +0, which turns -0 into +0.
  const s = (sinPoly ? ys : yc) + 0;
  const c = (sinPoly ? yc : ys) + 0;
  sincosOut.sin = sinNegative ? -s : s;
  sincosOut.cos = cosNegative ? -c : c;
}
