// Elementwise f32 kernels over a 2-D pattern [rows, cols]: each operand has a row stride and a
// column stride of 1 (contiguous) or 0 (one value broadcast along the row). Ops above collapse
// any broadcast into this form, so one loop shape serves `a + b`, `x + bias` and `x * 2`.

// Binary op codes, shared with src/backend/wasm/elementwise.ts.
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAX = 4;
const MIN = 5;
const RELU_BACK = 6;
const SQUARE_BACK = 7;
const OUTER = 8;

// Each op is a class whose inlined methods are its vector and scalar forms; kernels are generic
// over the class and reach the methods through a null reference (the methods never read `this`),
// so every op gets its own loop with the instruction in it. Passing the op as an i32 and switching
// outside the loop let the optimizer merge the six loops into one with the switch inside
// (measured 3× slower per element).
// @ts-ignore: decorator
@final class Add {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.add(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): f32 { return x + y; }
}
// @ts-ignore: decorator
@final class Sub {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.sub(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): f32 { return x - y; }
}
// @ts-ignore: decorator
@final class Mul {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.mul(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): f32 { return x * y; }
}
// @ts-ignore: decorator
@final class Div {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.div(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): f32 { return x / y; }
}
// NaN in either operand wins, as torch.maximum / torch.minimum.
// @ts-ignore: decorator
@final class Max {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.max(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): f32 { return x != x || y != y ? NaN : max(x, y); }
}
// @ts-ignore: decorator
@final class Min {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.min(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): f32 { return x != x || y != y ? NaN : min(x, y); }
}

// relu's gradient from its result y (PyTorch's threshold_backward): 0 where y ≤ 0, else g; a NaN
// y passes g (NaN ≤ 0 is false), as the JS kernel's `y <= 0 ? 0 : g`.
// @ts-ignore: decorator
@final class ReluBack {
  // @ts-ignore: decorator
  @inline v(g: v128, y: v128): v128 { return v128.bitselect(f32x4.splat(0), g, f32x4.le(y, f32x4.splat(0))); }
  // @ts-ignore: decorator
  @inline s(g: f32, y: f32): f32 { return y <= 0 ? 0 : g; }
}

// square's gradient g·(2x): 2x is exact in f32 (or overflows to ∞ as the JS kernel's fround(2x)),
// and the f32 product rounds as the JS kernel's double product stored to float32.
// @ts-ignore: decorator
@final class SquareBack {
  // @ts-ignore: decorator
  @inline v(g: v128, x: v128): v128 { return f32x4.mul(g, f32x4.add(x, x)); }
  // @ts-ignore: decorator
  @inline s(g: f32, x: f32): f32 { return g * (x + x); }
}

// A product with one term per output (matmul with k = 1): 0 + a·b, as the dot product it is,
// so a −0 product gives +0 as in the JS kernel.
// @ts-ignore: decorator
@final class Outer {
  // @ts-ignore: decorator
  @inline v(a: v128, b: v128): v128 { return f32x4.add(f32x4.mul(a, b), f32x4.splat(0)); }
  // @ts-ignore: decorator
  @inline s(a: f32, b: f32): f32 { return a * b + 0; }
}

// One row of `len` elements; `ai`/`bi` are 1 (contiguous) or 0 (broadcast scalar).
// @ts-ignore: decorator
@inline
function row<O>(a: usize, ai: i32, b: usize, bi: i32, o: usize, len: i32): void {
  const f = changetype<O>(0);
  let i = 0;
  if (ai == 1 && bi == 1) {
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, f.v(v128.load(a + off), v128.load(b + off)));
    }
  } else if (ai == 1) {
    const bv = v128.load32_splat(b);
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, f.v(v128.load(a + off), bv));
    }
  } else if (bi == 1) {
    const av = v128.load32_splat(a);
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, f.v(av, v128.load(b + off)));
    }
  }
  for (; i < len; i++) {
    store<f32>(o + (<usize>i << 2), f.s(load<f32>(a + (<usize>(i * ai) << 2)), load<f32>(b + (<usize>(i * bi) << 2))));
  }
}

// @ts-ignore: decorator
@inline
function rows2d<O>(a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    row<O>(a + (<usize>(r * ars) << 2), ai, b + (<usize>(r * brs) << 2), bi, o + (<usize>(r * cols) << 2), cols);
  }
}

/**
 * out[r, c] = op(a[r*ars + c*ai], b[r*brs + c*bi]) for r < rows, c < cols; out is contiguous.
 * Strides are in elements; ai and bi are 0 or 1.
 */
export function binary2d(op: i32, a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  switch (op) {
    case ADD: rows2d<Add>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case SUB: rows2d<Sub>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case MUL: rows2d<Mul>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case DIV: rows2d<Div>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case MAX: rows2d<Max>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case MIN: rows2d<Min>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case RELU_BACK: rows2d<ReluBack>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case SQUARE_BACK: rows2d<SquareBack>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    default: rows2d<Outer>(a, ars, ai, b, brs, bi, o, rows, cols); break;
  }
}

// Unary op codes, shared with src/backend/wasm/elementwise.ts.
const NEG = 0;
const ABS = 1;
const SQRT = 2;
const RELU = 3;
const SQUARE = 4;
const RECIP = 5;

// Unary ops as classes, like the binary ones above.
// @ts-ignore: decorator
@final class Neg {
  // @ts-ignore: decorator
  @inline v(x: v128): v128 { return f32x4.neg(x); }
  // @ts-ignore: decorator
  @inline s(x: f32): f32 { return -x; }
}
// @ts-ignore: decorator
@final class Abs {
  // @ts-ignore: decorator
  @inline v(x: v128): v128 { return f32x4.abs(x); }
  // @ts-ignore: decorator
  @inline s(x: f32): f32 { return abs(x); }
}
// @ts-ignore: decorator
@final class Sqrt {
  // @ts-ignore: decorator
  @inline v(x: v128): v128 { return f32x4.sqrt(x); }
  // @ts-ignore: decorator
  @inline s(x: f32): f32 { return sqrt(x); }
}
// max(x, 0) would turn NaN into 0 on some engines' pmax; select keeps NaN (x > 0 is false
// for NaN, and x != x picks x back).
// @ts-ignore: decorator
@final class Relu {
  // @ts-ignore: decorator
  @inline v(x: v128): v128 { return v128.bitselect(x, f32x4.splat(0), v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x))); }
  // @ts-ignore: decorator
  @inline s(x: f32): f32 { return x > 0 || x != x ? x : 0; }
}
// @ts-ignore: decorator
@final class Square {
  // @ts-ignore: decorator
  @inline v(x: v128): v128 { return f32x4.mul(x, x); }
  // @ts-ignore: decorator
  @inline s(x: f32): f32 { return x * x; }
}
// @ts-ignore: decorator
@final class Recip {
  // @ts-ignore: decorator
  @inline v(x: v128): v128 { return f32x4.div(f32x4.splat(1), x); }
  // @ts-ignore: decorator
  @inline s(x: f32): f32 { return 1 / x; }
}

// @ts-ignore: decorator
@inline
function unaryLoop<O>(x: usize, o: usize, n: i32): void {
  const f = changetype<O>(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(o + off, f.v(v128.load(x + off)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(o + off, f.s(load<f32>(x + off)));
  }
}

/** out[i] = op(x[i]) for i < n. */
export function unary(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case NEG: unaryLoop<Neg>(x, o, n); break;
    case ABS: unaryLoop<Abs>(x, o, n); break;
    case SQRT: unaryLoop<Sqrt>(x, o, n); break;
    case RELU: unaryLoop<Relu>(x, o, n); break;
    case SQUARE: unaryLoop<Square>(x, o, n); break;
    default: unaryLoop<Recip>(x, o, n); break;
  }
}

// Comparison op codes, shared with src/backend/wasm/elementwise.ts. Results are bytes 0/1 (bool).
const EQ = 0;
const NE = 1;
const LT = 2;
const LE = 3;
const GT = 4;

// Comparisons as classes, like the arithmetic ops above.
// @ts-ignore: decorator
@final class Eq {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.eq(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): u8 { return <u8>(x == y); }
}
// @ts-ignore: decorator
@final class Ne {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.ne(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): u8 { return <u8>(x != y); }
}
// @ts-ignore: decorator
@final class Lt {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.lt(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): u8 { return <u8>(x < y); }
}
// @ts-ignore: decorator
@final class Le {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.le(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): u8 { return <u8>(x <= y); }
}
// @ts-ignore: decorator
@final class Gt {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.gt(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): u8 { return <u8>(x > y); }
}
// @ts-ignore: decorator
@final class Ge {
  // @ts-ignore: decorator
  @inline v(x: v128, y: v128): v128 { return f32x4.ge(x, y); }
  // @ts-ignore: decorator
  @inline s(x: f32, y: f32): u8 { return <u8>(x >= y); }
}

// Four lane masks (all-ones or zero per f32) narrowed to 16 bytes of 0/1.
// @ts-ignore: decorator
@inline
function bytes16(m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  const lo = i16x8.narrow_i32x4_s(m0, m1);
  const hi = i16x8.narrow_i32x4_s(m2, m3);
  return v128.and(i8x16.narrow_i16x8_s(lo, hi), i8x16.splat(1));
}

// @ts-ignore: decorator
@inline
function cmpRow<O>(a: usize, ai: i32, b: usize, bi: i32, o: usize, len: i32): void {
  const f = changetype<O>(0);
  let i = 0;
  if (ai == 1 || bi == 1) {
    const sa: usize = ai == 1 ? 16 : 0;
    const sb: usize = bi == 1 ? 16 : 0;
    const av = v128.load32_splat(a);
    const bv = v128.load32_splat(b);
    for (; i + 16 <= len; i += 16) {
      const pa = a + (<usize>(i * ai) << 2);
      const pb = b + (<usize>(i * bi) << 2);
      const x0 = ai == 1 ? v128.load(pa) : av;
      const x1 = ai == 1 ? v128.load(pa + sa) : av;
      const x2 = ai == 1 ? v128.load(pa + sa * 2) : av;
      const x3 = ai == 1 ? v128.load(pa + sa * 3) : av;
      const y0 = bi == 1 ? v128.load(pb) : bv;
      const y1 = bi == 1 ? v128.load(pb + sb) : bv;
      const y2 = bi == 1 ? v128.load(pb + sb * 2) : bv;
      const y3 = bi == 1 ? v128.load(pb + sb * 3) : bv;
      v128.store(o + <usize>i, bytes16(f.v(x0, y0), f.v(x1, y1), f.v(x2, y2), f.v(x3, y3)));
    }
  }
  for (; i < len; i++) {
    store<u8>(o + <usize>i, f.s(load<f32>(a + (<usize>(i * ai) << 2)), load<f32>(b + (<usize>(i * bi) << 2))));
  }
}

// @ts-ignore: decorator
@inline
function cmp2d<O>(a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    cmpRow<O>(a + (<usize>(r * ars) << 2), ai, b + (<usize>(r * brs) << 2), bi, o + <usize>(r * cols), cols);
  }
}

/** out[r, c] = a[r*ars + c*ai] OP b[r*brs + c*bi] as a byte 0/1; like binary2d otherwise. */
export function compare2d(op: i32, a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  switch (op) {
    case EQ: cmp2d<Eq>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case NE: cmp2d<Ne>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case LT: cmp2d<Lt>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case LE: cmp2d<Le>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    case GT: cmp2d<Gt>(a, ars, ai, b, brs, bi, o, rows, cols); break;
    default: cmp2d<Ge>(a, ars, ai, b, brs, bi, o, rows, cols); break;
  }
}
