// Elementwise f32 kernels over a 2-D pattern [rows, cols]: each operand has a row stride and a
// column stride of 1 (contiguous) or 0 (one value broadcast along the row). Ops above collapse
// any broadcast into this form, so one loop shape serves `a + b`, `x + bias` and `x * 2`.

// Binary op codes, shared with src/backend/wasm/ops.ts.
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAX = 4;
const MIN = 5;

// @ts-ignore: decorator
@inline
function vop(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(x, y);
    case SUB: return f32x4.sub(x, y);
    case MUL: return f32x4.mul(x, y);
    case DIV: return f32x4.div(x, y);
    case MAX: return f32x4.max(x, y);
    default: return f32x4.min(x, y);
  }
}

// @ts-ignore: decorator
@inline
function sop(op: i32, x: f32, y: f32): f32 {
  switch (op) {
    case ADD: return x + y;
    case SUB: return x - y;
    case MUL: return x * y;
    case DIV: return x / y;
    // NaN in either operand wins, as torch.maximum / torch.minimum.
    case MAX: return x != x || y != y ? NaN : max(x, y);
    default: return x != x || y != y ? NaN : min(x, y);
  }
}

// One row of `len` elements; `ai`/`bi` are 1 (contiguous) or 0 (broadcast scalar). The op is a
// compile-time constant in each instantiation, so the switch folds away.
// @ts-ignore: decorator
@inline
function row(op: i32, a: usize, ai: i32, b: usize, bi: i32, o: usize, len: i32): void {
  let i = 0;
  if (ai == 1 && bi == 1) {
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, vop(op, v128.load(a + off), v128.load(b + off)));
    }
  } else if (ai == 1) {
    const bv = v128.load32_splat(b);
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, vop(op, v128.load(a + off), bv));
    }
  } else if (bi == 1) {
    const av = v128.load32_splat(a);
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, vop(op, av, v128.load(b + off)));
    }
  }
  for (; i < len; i++) {
    store<f32>(o + (<usize>i << 2), sop(op, load<f32>(a + (<usize>(i * ai) << 2)), load<f32>(b + (<usize>(i * bi) << 2))));
  }
}

// @ts-ignore: decorator
@inline
function rows2d(op: i32, a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    row(op, a + (<usize>(r * ars) << 2), ai, b + (<usize>(r * brs) << 2), bi, o + (<usize>(r * cols) << 2), cols);
  }
}

/**
 * out[r, c] = op(a[r*ars + c*ai], b[r*brs + c*bi]) for r < rows, c < cols; out is contiguous.
 * Strides are in elements; ai and bi are 0 or 1.
 */
export function binary2d(op: i32, a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  switch (op) {
    case ADD: rows2d(ADD, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case SUB: rows2d(SUB, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case MUL: rows2d(MUL, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case DIV: rows2d(DIV, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case MAX: rows2d(MAX, a, ars, ai, b, brs, bi, o, rows, cols); break;
    default: rows2d(MIN, a, ars, ai, b, brs, bi, o, rows, cols); break;
  }
}

// Unary op codes, shared with src/backend/wasm/ops.ts.
const NEG = 0;
const ABS = 1;
const SQRT = 2;
const RELU = 3;
const SQUARE = 4;
const RECIP = 5;

// @ts-ignore: decorator
@inline
function uvop(op: i32, x: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case SQRT: return f32x4.sqrt(x);
    // max(x, 0) would turn NaN into 0 on some engines' pmax; select keeps NaN (x > 0 is false
    // for NaN, and x != x picks x back).
    case RELU: return v128.bitselect(x, f32x4.splat(0), v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x)));
    case SQUARE: return f32x4.mul(x, x);
    default: return f32x4.div(f32x4.splat(1), x);
  }
}

// @ts-ignore: decorator
@inline
function usop(op: i32, x: f32): f32 {
  switch (op) {
    case NEG: return -x;
    case ABS: return abs(x);
    case SQRT: return sqrt(x);
    case RELU: return x > 0 || x != x ? x : 0;
    case SQUARE: return x * x;
    default: return 1 / x;
  }
}

// @ts-ignore: decorator
@inline
function unaryLoop(op: i32, x: usize, o: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(o + off, uvop(op, v128.load(x + off)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(o + off, usop(op, load<f32>(x + off)));
  }
}

/** out[i] = op(x[i]) for i < n. */
export function unary(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case NEG: unaryLoop(NEG, x, o, n); break;
    case ABS: unaryLoop(ABS, x, o, n); break;
    case SQRT: unaryLoop(SQRT, x, o, n); break;
    case RELU: unaryLoop(RELU, x, o, n); break;
    case SQUARE: unaryLoop(SQUARE, x, o, n); break;
    default: unaryLoop(RECIP, x, o, n); break;
  }
}

// Comparison op codes, shared with src/backend/wasm/elementwise.ts. Results are bytes 0/1 (bool).
const EQ = 0;
const NE = 1;
const LT = 2;
const LE = 3;
const GT = 4;

// @ts-ignore: decorator
@inline
function vcmp(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case EQ: return f32x4.eq(x, y);
    case NE: return f32x4.ne(x, y);
    case LT: return f32x4.lt(x, y);
    case LE: return f32x4.le(x, y);
    case GT: return f32x4.gt(x, y);
    default: return f32x4.ge(x, y);
  }
}

// @ts-ignore: decorator
@inline
function scmp(op: i32, x: f32, y: f32): u8 {
  switch (op) {
    case EQ: return <u8>(x == y);
    case NE: return <u8>(x != y);
    case LT: return <u8>(x < y);
    case LE: return <u8>(x <= y);
    case GT: return <u8>(x > y);
    default: return <u8>(x >= y);
  }
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
function cmpRow(op: i32, a: usize, ai: i32, b: usize, bi: i32, o: usize, len: i32): void {
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
      v128.store(o + <usize>i, bytes16(vcmp(op, x0, y0), vcmp(op, x1, y1), vcmp(op, x2, y2), vcmp(op, x3, y3)));
    }
  }
  for (; i < len; i++) {
    store<u8>(o + <usize>i, scmp(op, load<f32>(a + (<usize>(i * ai) << 2)), load<f32>(b + (<usize>(i * bi) << 2))));
  }
}

// @ts-ignore: decorator
@inline
function cmp2d(op: i32, a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    cmpRow(op, a + (<usize>(r * ars) << 2), ai, b + (<usize>(r * brs) << 2), bi, o + <usize>(r * cols), cols);
  }
}

/** out[r, c] = a[r*ars + c*ai] OP b[r*brs + c*bi] as a byte 0/1; like binary2d otherwise. */
export function compare2d(op: i32, a: usize, ars: i32, ai: i32, b: usize, brs: i32, bi: i32, o: usize, rows: i32, cols: i32): void {
  switch (op) {
    case EQ: cmp2d(EQ, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case NE: cmp2d(NE, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case LT: cmp2d(LT, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case LE: cmp2d(LE, a, ars, ai, b, brs, bi, o, rows, cols); break;
    case GT: cmp2d(GT, a, ars, ai, b, brs, bi, o, rows, cols); break;
    default: cmp2d(5, a, ars, ai, b, brs, bi, o, rows, cols); break;
  }
}
