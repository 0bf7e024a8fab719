// The wasm backend's kernels against the JS backend's, on random shapes: odd sizes, every
// transpose variant, broadcast batches, sizes that cross the packing blocks, and threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jsBackend } from "../src/backend/js/index.js";
import { wasmBackend, setNumThreads, getNumThreads, wasmRelaxedSimd, wasmSimdSupported } from "../src/backend/wasm/index.js";
import { threadedProducts } from "../src/backend/wasm/matmul.js";
import { plainRuntime } from "../src/backend/wasm/runtime.js";
import type { BinaryKernel, MatmulLayout, ReduceKernel, UnaryKernel } from "../src/backend/backend.js";
import { getBackendName, gradcheck, gradgradcheck, listBackends, matmul, matmulT, randn, setBackend, tensor, transpose } from "../src/index.js";
import { sameFloats, uniform as rng } from "./arbitraries.js"; // mulberry32: seeded, so failures reproduce

const rand = rng(12345);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const floats = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

// The smallest module using relaxed SIMD: (v128, v128, v128) -> f32x4.relaxed_madd, written
// byte by byte so the check does not depend on the build's own modules.
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // body
]);

test("the fused multiply-add kernels are used exactly where the host validates relaxed SIMD", () => {
  // CI runs the suite once more with --experimental-wasm-relaxed-simd, so both kernels are tested.
  assert.equal(wasmRelaxedSimd(), wasmSimdSupported() && WebAssembly.validate(RELAXED_PROBE));
});

/** Batch offsets for broadcast batch dims, as src/ops/linalg.ts computes them. */
function offsets(batch: number[], own: number[], size: number): Int32Array {
  const lead = batch.length - own.length;
  const ownStrides = own.map((_, d) => numel(own.slice(d + 1)));
  const out = new Int32Array(numel(batch));
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    let o = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const idx = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
      if (d >= lead && own[d - lead] !== 1) o += idx * ownStrides[d - lead];
    }
    out[i] = o * size;
  }
  return out;
}

/** Checks a wasm float32 product against the exact (float64) one, within a summation-order bound. */
function checkMatmul(m: number, k: number, n: number, transA: boolean, transB: boolean, aBatch: number[] = [], bBatch: number[] = []): void {
  const batch = aBatch.length >= bBatch.length ? aBatch.map((d, i) => Math.max(d, bBatch[i - (aBatch.length - bBatch.length)] ?? 1)) : bBatch.map((d, i) => Math.max(d, aBatch[i - (bBatch.length - aBatch.length)] ?? 1));
  const a = floats(numel(aBatch) * m * k);
  const b = floats(numel(bBatch) * k * n);
  const layout: MatmulLayout = { m, k, n, aOffsets: offsets(batch, aBatch, m * k), bOffsets: offsets(batch, bBatch, k * n), transA, transB };
  const got = new Float32Array(numel(batch) * m * n);
  wasmBackend.matmul(a, b, got, layout);
  const exact = new Float64Array(got.length);
  jsBackend.matmul(Float64Array.from(a), Float64Array.from(b), exact, layout);
  const absRef = new Float64Array(got.length);
  jsBackend.matmul(Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs), absRef, layout);
  for (let i = 0; i < got.length; i++) {
    // float32 rounding of k products and k sums, in any order.
    const tol = 2 * (k + 2) * 2 ** -24 * absRef[i] + 1e-30;
    if (!(Math.abs(got[i] - exact[i]) <= tol)) {
      assert.fail(`matmul ${m}x${k}x${n} transA=${transA} transB=${transB} batch ${JSON.stringify([aBatch, bBatch])}: element ${i} is ${got[i]}, exact ${exact[i]} (tolerance ${tol})`);
    }
  }
}

test("the wasm backend is registered and current unless DUOGRAD_BACKEND says otherwise", () => {
  assert.ok(wasmSimdSupported(), "Node 20 has WebAssembly SIMD");
  assert.ok(listBackends().includes("wasm"));
  assert.equal(getBackendName(), process.env.DUOGRAD_BACKEND || "wasm");
});

test("matmul: every transpose variant on odd and random shapes matches the exact product", () => {
  setNumThreads(1);
  const shapes: [number, number, number][] = [[1, 1, 2048], [3, 5, 7], [4, 8, 64], [5, 9, 65], [13, 1, 300], [1, 17, 129], [33, 31, 29], [64, 64, 64]];
  for (let i = 0; i < 12; i++) shapes.push([int(1, 70), int(1, 70), int(1, 90)]);
  for (const [m, k, n] of shapes) {
    for (const ta of [false, true]) for (const tb of [false, true]) checkMatmul(m, k, n, ta, tb);
  }
});

test("matmul: sizes crossing the packing blocks (k > 256, m > 128, n > 512)", () => {
  setNumThreads(1);
  checkMatmul(131, 300, 517, false, false);
  checkMatmul(129, 257, 515, true, true);
  checkMatmul(130, 513, 9, false, true);
  checkMatmul(7, 600, 520, true, false);
});

test("matmul: broadcast batches read each operand at its batch offset", () => {
  setNumThreads(1);
  checkMatmul(9, 13, 11, false, false, [3], [3]);
  checkMatmul(9, 13, 11, true, false, [2, 3], [3]);
  checkMatmul(9, 13, 11, false, true, [1, 4], [2, 1]);
  checkMatmul(17, 33, 20, true, true, [5], []);
});

test("matmul: float64, int32 and tiny products go to the JS kernel with identical results", () => {
  const layout: MatmulLayout = { m: 3, k: 4, n: 5, aOffsets: [0], bOffsets: [0], transA: false, transB: true };
  const a = Float64Array.from(floats(12));
  const b = Float64Array.from(floats(20));
  const x = new Float64Array(15);
  const y = new Float64Array(15);
  wasmBackend.matmul(a, b, x, layout);
  jsBackend.matmul(a, b, y, layout);
  assert.deepEqual(x, y);
  const ai = Int32Array.from({ length: 12 }, () => int(-5, 5));
  const bi = Int32Array.from({ length: 20 }, () => int(-5, 5));
  const xi = new Int32Array(15);
  const yi = new Int32Array(15);
  wasmBackend.matmul(ai, bi, xi, layout);
  jsBackend.matmul(ai, bi, yi, layout);
  assert.deepEqual(xi, yi);
});

test("matmul on 2 threads matches the exact product in every transpose variant", async () => {
  setNumThreads(2);
  assert.equal(getNumThreads(), 2);
  // Workers start on first demand and take jobs once ready.
  const before = threadedProducts();
  for (let i = 0; i < 100 && threadedProducts() === before; i++) {
    checkMatmul(256, 64, 256, false, false);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(threadedProducts() > before, "a product large enough ran on two threads");
  for (const ta of [false, true]) for (const tb of [false, true]) {
    checkMatmul(259, 70, 130, ta, tb); // split by rows, ragged last slice
    checkMatmul(70, 65, 301, ta, tb); // split by columns
  }
  checkMatmul(130, 40, 140, true, false, [3], [1]);
  setNumThreads(1);
});

test("threads claiming chunks never mix consecutive products, even with more threads than cores", async () => {
  // 4 threads on a machine of 2 cores: workers are often not scheduled when a product starts and
  // claim chunks late, which is what the task word's sequence number guards. Each product must
  // equal the single-threaded one bit for bit (chunks only cut C; every element sums in the same order).
  const shapes: [number, number, number, boolean, boolean][] = [
    [256, 64, 256, false, false], [64, 300, 320, false, true], [300, 40, 48, true, false], [128, 784, 256, false, true], [520, 16, 520, true, true],
  ];
  const cases = shapes.map(([m, k, n, transA, transB]) => {
    const a = floats(m * k);
    const b = floats(k * n);
    const layout: MatmulLayout = { m, k, n, transA, transB, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0) };
    setNumThreads(1);
    const want = new Float32Array(m * n);
    wasmBackend.matmul(a, b, want, layout);
    return { a, b, layout, want };
  });
  setNumThreads(4);
  const before = threadedProducts();
  for (let i = 0; i < 100 && threadedProducts() === before; i++) {
    wasmBackend.matmul(cases[0].a, cases[0].b, new Float32Array(cases[0].want.length), cases[0].layout);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (let round = 0; round < 60; round++) {
    const c = cases[round % cases.length];
    const got = new Float32Array(c.want.length);
    wasmBackend.matmul(c.a, c.b, got, c.layout);
    assert.deepEqual(got, c.want, `round ${round}: ${c.layout.m}x${c.layout.k}x${c.layout.n}`);
  }
  assert.ok(threadedProducts() > before + 40, "the products ran split over threads");
  setNumThreads(1);
});

test("a process that used worker threads exits by itself", () => {
  const entry = fileURLToPath(new URL("../src/index.js", import.meta.url));
  const script = `
    const dg = await import(${JSON.stringify("file://" + entry)});
    dg.setNumThreads(2);
    const x = dg.randn([300, 300]);
    for (let i = 0; i < 30; i++) { x.matmul(x); await new Promise((r) => setTimeout(r, 5)); }
    console.log("done");
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60000 });
  assert.equal(r.signal, null, "the process did not exit on its own");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /done/);
});

// Values where the kernels' edge cases live: NaN, infinities, signed zeros, tiny and huge.
function specials(n: number): Float32Array {
  const v = floats(n);
  const odd = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38, 1, -1];
  for (let i = 0; i < n; i += 7) v[i] = odd[int(0, odd.length - 1)];
  return v;
}

test("binary: + − × ÷ max min and comparisons with every broadcast pattern equal the JS kernel exactly", () => {
  const ops: BinaryKernel[] = ["add", "sub", "mul", "div", "maximum", "minimum", "pow", "atan2"];
  // Every case has at least 128 output elements (the wasm threshold) except the last.
  const cases: [number[], number[]][] = [
    [[300], [300]],
    [[257], [1]],
    [[1], [131]],
    [[], [170]],
    [[13, 17], [17]],
    [[13, 17], [13, 1]],
    [[13, 1], [1, 17]],
    [[4, 6, 13], [6, 1]],
    [[3, 4, 5, 6], [1, 4, 1, 1]],
    [[2, 3, 9, 11], [2, 1, 9, 1]],
    [[5, 1, 17], [5, 3, 17]],
    [[8], [8]], // below the wasm threshold
  ];
  for (const op of ops) {
    for (const [as, bs] of cases) {
      const outShape = as.length >= bs.length ? as.map((d, i) => Math.max(d, bs[i - (as.length - bs.length)] ?? 1)) : bs.map((d, i) => Math.max(d, as[i - (bs.length - as.length)] ?? 1));
      const a = specials(numel(as));
      const b = specials(numel(bs));
      const got = new Float32Array(numel(outShape));
      const want = new Float32Array(numel(outShape));
      wasmBackend.binary(op, a, as, b, bs, got, outShape);
      jsBackend.binary(op, a, as, b, bs, want, outShape);
      sameFloats(got, want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
    }
  }
  // Comparisons write bool bytes.
  const cmps: BinaryKernel[] = ["eq", "ne", "lt", "le", "gt", "ge"];
  for (const op of cmps) {
    for (const [as, bs] of cases) {
      const outShape = as.length >= bs.length ? as.map((d, i) => Math.max(d, bs[i - (as.length - bs.length)] ?? 1)) : bs.map((d, i) => Math.max(d, as[i - (bs.length - as.length)] ?? 1));
      const a = specials(numel(as));
      const b = specials(numel(bs));
      // Equal values somewhere, so eq/le/ge see ties.
      for (let i = 0; i < Math.min(a.length, b.length); i += 5) a[i] = b[i];
      const got = new Uint8Array(numel(outShape));
      const want = new Uint8Array(numel(outShape));
      wasmBackend.binary(op, a, as, b, bs, got, outShape);
      jsBackend.binary(op, a, as, b, bs, want, outShape);
      assert.deepEqual(got, want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
    }
  }
  // The same buffer as both operands, and float64 (JS kernel).
  const a = floats(200);
  const got = new Float32Array(200);
  const want = new Float32Array(200);
  wasmBackend.binary("mul", a, [200], a, [200], got, [200]);
  jsBackend.binary("mul", a, [200], a, [200], want, [200]);
  sameFloats(got, want, "mul with itself");
  const d = Float64Array.from(floats(100));
  const g64 = new Float64Array(100);
  const w64 = new Float64Array(100);
  wasmBackend.binary("add", d, [100], d, [100], g64, [100]);
  jsBackend.binary("add", d, [100], d, [100], w64, [100]);
  assert.deepEqual(g64, w64);
});

test("square_backward and relu_backward equal the JS kernel exactly, 2x overflowing to ∞ included", () => {
  const cases: [number[], number[]][] = [[[300], [300]], [[257], [1]], [[1], [131]], [[40], [40]]];
  for (const op of ["square_backward", "relu_backward"] as BinaryKernel[]) {
    for (const [as, bs] of cases) {
      const n = Math.max(numel(as), numel(bs));
      const a = specials(numel(as));
      const b = specials(numel(bs));
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      wasmBackend.binary(op, a, as, b, bs, got, [n]);
      jsBackend.binary(op, a, as, b, bs, want, [n]);
      sameFloats(got, want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
    }
  }
  // 1.5 · (2 · 2e38): 2x is ∞ in float32, so the gradient is ∞ although 1.5 · 4e38 fits a double.
  const got = new Float32Array(100);
  wasmBackend.binary("square_backward", new Float32Array(100).fill(1.5), [100], new Float32Array(100).fill(2e38), [100], got, [100]);
  assert.equal(got[99], Infinity);
});

test("matmul with one term per output (k = 1) equals the JS kernel exactly, −0 products giving +0", () => {
  for (const [m, n] of [[200, 1], [1, 200], [70, 90], [3, 3]]) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = specials(m);
        const b = specials(n);
        a[1] = -0;
        b[0] = 1;
        const layout: MatmulLayout = { m, k: 1, n, aOffsets: [0], bOffsets: [0], transA: ta, transB: tb };
        const got = new Float32Array(m * n);
        const want = new Float32Array(m * n);
        wasmBackend.matmul(a, b, got, layout);
        jsBackend.matmul(a, b, want, layout);
        sameFloats(got, want, `outer ${m}x1x${n} transA=${ta} transB=${tb}`);
        if (n === 1 || m > 1) assert.ok(Object.is(got[n], 0), "0 + (−0)·1 is +0");
      }
    }
  }
});

test("matmul with one output ([1,k]·[k,1]) is the float64 dot product rounded once", () => {
  for (const k of [64, 200, 1001]) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = floats(k);
        const b = floats(k);
        const got = new Float32Array(1);
        wasmBackend.matmul(a, b, got, { m: 1, k, n: 1, aOffsets: [0], bOffsets: [0], transA: ta, transB: tb });
        let exact = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          exact += a[p] * b[p];
          abs += Math.abs(a[p] * b[p]);
        }
        // One float32 rounding of a float64 sum (whose own error is ~k·2⁻⁵³ of the absolute sum).
        assert.ok(Math.abs(got[0] - exact) <= 2 ** -24 * Math.abs(exact) + k * 2 ** -52 * abs, `dot of ${k}: ${got[0]} against ${exact}`);
      }
    }
  }
});

test("unary: neg abs sqrt relu square reciprocal equal the JS kernel exactly (others delegate)", () => {
  const ops: UnaryKernel[] = ["neg", "abs", "sqrt", "relu", "square", "reciprocal", "exp", "tanh", "copy"];
  for (const op of ops) {
    for (const n of [1, 63, 127, 128, 129, 1000, 4099]) {
      const x = specials(n);
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      wasmBackend.unary(op, x, got, 0, 0);
      jsBackend.unary(op, x, want, 0, 0);
      sameFloats(got, want, `${op} n=${n}`);
    }
  }
});

test("reduce: sums over contiguous axis runs match the JS kernel; other reductions delegate", () => {
  const cases: [number[], number[]][] = [
    [[1000], [0]],
    [[37, 41], [0]],
    [[37, 41], [1]],
    [[5, 7, 9], [1]],
    [[5, 7, 9], [0, 1]],
    [[5, 7, 9], [1, 2]],
    [[5, 7, 9], [0, 2]], // not one run: JS kernel
    [[4, 1, 30], [1]], // only a size-1 axis
    [[3, 1, 5, 1, 7], [0, 1, 2]],
    [[6, 5], [0, 1]],
  ];
  const ops: ReduceKernel[] = ["sum", "max", "prod"];
  for (const op of ops) {
    for (const [shape, axes] of cases) {
      const x = floats(numel(shape));
      const outShape = shape.filter((_, d) => !axes.includes(d));
      const got = new Float32Array(numel(outShape));
      const want = new Float32Array(numel(outShape));
      wasmBackend.reduce(op, x, shape, axes, got);
      jsBackend.reduce(op, x, shape, axes, want);
      for (let i = 0; i < got.length; i++) {
        // Both sum in float64; only the order differs, so the float32 results agree to an ulp.
        const tol = op === "sum" ? 2 ** -23 * Math.abs(want[i]) + 1e-12 * numel(shape) : 0;
        assert.ok(Math.abs(got[i] - want[i]) <= tol, `${op} ${JSON.stringify(shape)} over ${JSON.stringify(axes)}: ${got[i]} vs ${want[i]}`);
      }
    }
  }
});

test("the public API gives the same results on both backends", () => {
  const before = getBackendName();
  try {
    const a = randn([70, 90]);
    const b = randn([90, 40]);
    setBackend("js");
    const y1 = matmul(a, b).add(tensor(1.5)).relu().sum(0);
    setBackend("wasm");
    const y2 = matmul(a, b).add(tensor(1.5)).relu().sum(0);
    const d = y1.sub(y2).abs().max().item();
    assert.ok(d < 1e-3, `difference ${d}`);
  } finally {
    setBackend(before);
  }
});

test("matmulT: transposed operands read in place give x.T products, with first and second derivatives", () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    for (const [ab, bb] of [[[], []], [[2], []], [[3, 1], [2]]] as number[][][]) {
      const a = randn([...ab, ...(ta ? [4, 3] : [3, 4])], { dtype: "float64", requiresGrad: true });
      const b = randn([...bb, ...(tb ? [5, 4] : [4, 5])], { dtype: "float64", requiresGrad: true });
      const want = matmul(ta ? transpose(a, -1, -2) : a, tb ? transpose(b, -1, -2) : b);
      const got = matmulT(a, b, ta, tb);
      assert.deepEqual(got.shape, want.shape);
      assert.ok(got.sub(want).abs().max().item() < 1e-12);
      const f = (x: typeof a, y: typeof b) => matmulT(x, y, ta, tb);
      assert.ok(gradcheck(f, [a, b]));
      assert.ok(gradgradcheck(f, [a, b]));
    }
  }
  assert.throws(() => matmulT(randn([3, 4]), randn([3, 5]), false, false), /matmulT: mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x5\)/);
});

test("a training loop keeps the wasm memory at a steady size", () => {
  const before = getBackendName();
  setBackend("wasm");
  try {
    const x = randn([256, 32]);
    const w = randn([32, 8], { requiresGrad: true });
    const step = () => {
      const loss = matmul(x, w).relu().square().mean();
      loss.backward();
      w.grad = null;
    };
    for (let i = 0; i < 50; i++) step();
    const size = plainRuntime()!.memory.buffer.byteLength;
    for (let i = 0; i < 2000; i++) step();
    assert.equal(plainRuntime()!.memory.buffer.byteLength, size);
  } finally {
    setBackend(before);
  }
});

test("the plain memory is replaced, never grown in place, so no ArrayBuffer is ever detached", () => {
  setNumThreads(1);
  const rt = plainRuntime()!;
  const oldMemory = rt.memory;
  const oldBuffer = oldMemory.buffer;
  const oldBytes = oldBuffer.byteLength;
  // A product whose first operand alone is larger than the memory: the operands put before the
  // replacement must come across with it.
  const m = Math.ceil(oldBytes / 32) + 1000;
  checkMatmul(m, 8, 8, false, false);
  assert.notEqual(rt.memory, oldMemory);
  assert.ok(rt.memory.buffer.byteLength > oldBytes);
  assert.equal(oldBuffer.byteLength, oldBytes, "the old buffer was detached");
  checkMatmul(33, 31, 29, true, false); // and the new instance serves the next calls
});

test("setNumThreads rejects a non-positive or fractional count", () => {
  assert.throws(() => setNumThreads(0), /setNumThreads: expected a positive integer number of threads, got 0/);
  assert.throws(() => setNumThreads(1.5), /got 1.5/);
});
