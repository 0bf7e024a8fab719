// The wasm backend streams large elementwise operands through its memory in chunks (16K output
// elements): results must equal the JS kernel's exactly for every broadcast pattern, at sizes that
// end mid-chunk, with rows longer than a chunk, and when the output is one of the inputs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsBackend } from "../src/backend/js/index.js";
import { wasmBackend, wasmSimdSupported } from "../src/backend/wasm/index.js";
import type { BinaryKernel, UnaryKernel } from "../src/backend/backend.js";
import { sameFloats } from "./arbitraries.js";

const skip = !wasmSimdSupported();

let seed = 987654321;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
}
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Random floats with NaN, ±Infinity, ±0 and extremes sprinkled in. */
function values(n: number): Float32Array {
  const v = Float32Array.from({ length: n }, () => rand() * 4 - 2);
  const odd = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38, 1, -1];
  for (let i = 0; i < n; i += 13) v[i] = odd[Math.floor(rand() * odd.length)];
  return v;
}
function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => Math.max(a[i - (n - a.length)] ?? 1, b[i - (n - b.length)] ?? 1));
}

// Output sizes from just under one chunk to several chunks plus a remainder.
const CASES: [number[], number[]][] = [
  [[16383], [16383]],
  [[16385], [16385]],
  [[70001], [70001]],
  [[70001], [1]],
  [[1], [50003]],
  [[300, 257], [257]], // a bias row: copied in once, rows streamed
  [[257], [300, 257]],
  [[300, 257], [300, 1]], // a column broadcast along each row
  [[300, 1], [1, 257]], // an outer product pattern
  [[3, 40000], [40000]], // rows longer than a chunk
  [[40000, 1], [40000, 3]],
  [[7, 50, 60], [50, 1]], // more than two dims: whole arrays
];

test("large binary ops with every broadcast pattern equal the JS kernel exactly", { skip }, () => {
  const ops: BinaryKernel[] = ["add", "sub", "mul", "div", "maximum", "minimum"];
  for (const [as, bs] of CASES) {
    const os = broadcast(as, bs);
    const a = values(numel(as));
    const b = values(numel(bs));
    for (const op of ops) {
      const got = new Float32Array(numel(os));
      const want = new Float32Array(numel(os));
      wasmBackend.binary(op, a, as, b, bs, got, os);
      jsBackend.binary(op, a, as, b, bs, want, os);
      sameFloats(got, want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
    }
  }
});

test("large comparisons write the same bool bytes as the JS kernel", { skip }, () => {
  const ops: BinaryKernel[] = ["eq", "ne", "lt", "le", "gt", "ge"];
  for (const [as, bs] of CASES) {
    const os = broadcast(as, bs);
    const a = values(numel(as));
    const b = values(numel(bs));
    for (let i = 0; i < Math.min(a.length, b.length); i += 5) a[i] = b[i];
    for (const op of ops) {
      const got = new Uint8Array(numel(os));
      const want = new Uint8Array(numel(os));
      wasmBackend.binary(op, a, as, b, bs, got, os);
      jsBackend.binary(op, a, as, b, bs, want, os);
      assert.deepEqual(got, want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
    }
  }
});

test("large in-place ops (output = first input) and x op x equal the JS kernel", { skip }, () => {
  for (const [as, bs] of [[[70001], [70001]], [[70001], [1]], [[300, 257], [257]], [[300, 257], [300, 1]]] as [number[], number[]][]) {
    const a = values(numel(as));
    const b = values(numel(bs));
    const want = new Float32Array(a.length);
    jsBackend.binary("sub", a, as, b, bs, want, as);
    const self = a.slice();
    wasmBackend.binary("sub", self, as, b, bs, self, as);
    sameFloats(self, want, `in place ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
  }
  const x = values(50001);
  const want = new Float32Array(x.length);
  jsBackend.binary("mul", x, [x.length], x, [x.length], want, [x.length]);
  const self = x.slice();
  wasmBackend.binary("mul", self, [x.length], self, [x.length], self, [x.length]);
  sameFloats(self, want, "x *= x");
});

test("large unary ops equal the JS kernel, also in place", { skip }, () => {
  const ops: UnaryKernel[] = ["neg", "abs", "sqrt", "relu", "square", "reciprocal"];
  for (const n of [16384, 16385, 70001]) {
    const x = values(n);
    for (const op of ops) {
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      wasmBackend.unary(op, x, got, 0, 0);
      jsBackend.unary(op, x, want, 0, 0);
      sameFloats(got, want, `${op} n=${n}`);
      const self = x.slice();
      wasmBackend.unary(op, self, self, 0, 0);
      sameFloats(self, want, `${op} in place n=${n}`);
    }
  }
});
