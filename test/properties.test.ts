// Forward values of the core ops on random shapes and data, against float64 references computed
// here with plain loops (independent of duograd's kernels), plus gradient identities.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as dg from "../src/index.js";
import { fromBuffer, grad, Tensor } from "../src/index.js";
import { broadcastPairArb, matmulFormArb, matmulShapes, broadcastShape, dimsArb, numel, params, randTensor, shapeArb, uniform } from "./arbitraries.js";

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
const RUNS = 40;

// ------------------------------------------------------------------ reference helpers (plain JS)

/** Every multi-index of `shape`, in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = numel(shape);
  const idx = shape.map(() => 0);
  for (let i = 0; i < n; i++) {
    yield idx.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Row-major flat position of a multi-index. */
function flat(shape: readonly number[], idx: readonly number[]): number {
  let p = 0;
  for (let d = 0; d < shape.length; d++) p = p * shape[d] + idx[d];
  return p;
}

/** The element of a broadcast operand of `shape` at the multi-index `idx` of the (larger) result. */
function bcastAt(data: ArrayLike<number>, shape: readonly number[], idx: readonly number[]): number {
  const lead = idx.length - shape.length;
  const own = shape.map((n, d) => (n === 1 ? 0 : idx[d + lead]));
  return data[flat(shape, own)];
}

interface Ref {
  shape: number[];
  data: number[];
}

function assertClose(got: Tensor, ref: Ref, what: string, atol = 1e-12, rtol = 1e-12): void {
  assert.deepEqual(got.shape, ref.shape, `${what}: shape`);
  for (let i = 0; i < ref.data.length; i++) {
    const a = got.storage[i];
    const r = ref.data[i];
    const ok = Number.isNaN(r) ? Number.isNaN(a) : Math.abs(a - r) <= atol + rtol * Math.abs(r);
    assert.ok(ok, `${what}: element ${i} is ${a}, expected ${r}`);
  }
}

function refBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Ref {
  const shape = broadcastShape(a.shape, b.shape);
  const data: number[] = [];
  for (const idx of indices(shape)) data.push(f(bcastAt(a.storage, a.shape, idx), bcastAt(b.storage, b.shape, idx)));
  return { shape, data };
}

/** A reduction over `dims` (normalised, all when undefined) by a fold. */
function refReduce(x: Tensor, dims: number[] | undefined, keepdim: boolean, init: number, f: (acc: number, v: number) => number): Ref {
  const r = x.shape.length;
  const ds = new Set((dims ?? x.shape.map((_, i) => i)).map((d) => (d < 0 ? d + Math.max(r, 1) : d)));
  const keptShape = x.shape.map((n, d) => (ds.has(d) ? 1 : n));
  const acc = new Array<number>(numel(keptShape)).fill(init);
  for (const idx of indices(x.shape)) {
    const o = flat(keptShape, idx.map((v, d) => (ds.has(d) ? 0 : v)));
    acc[o] = f(acc[o], x.storage[flat(x.shape, idx)]);
  }
  const shape = keepdim ? keptShape : x.shape.filter((_, d) => !ds.has(d));
  return { shape, data: acc };
}

/** torch.matmul's rules, written out: 1-D promotion, broadcast batches, plain triple loop. */
function refMatmul(a: Tensor, b: Tensor): Ref {
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape.slice();
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape.slice();
  const [m, k] = as.slice(-2);
  const n = bs[bs.length - 1];
  const batch = broadcastShape(as.slice(0, -2), bs.slice(0, -2));
  const data: number[] = [];
  for (const bi of indices(batch)) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += bcastAt(a.storage, as, [...bi, i, p]) * bcastAt(b.storage, bs, [...bi, p, j]);
        data.push(s);
      }
    }
  }
  let shape = [...batch, m, n];
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  if (a.shape.length === 1) shape = b.shape.length === 1 ? shape.slice(0, -1) : [...shape.slice(0, -2), n];
  return { shape, data };
}

/** Python's slice(start, stop, step).indices(size) for step > 0, written from the language reference. */
function pyRange(size: number, start: number | null, stop: number | null, step: number | null): number[] {
  const st = step ?? 1;
  const norm = (v: number) => (v < 0 ? Math.max(v + size, 0) : Math.min(v, size));
  const lo = start === null ? 0 : norm(start);
  const hi = stop === null ? size : norm(stop);
  const out: number[] = [];
  for (let i = lo; i < hi; i += st) out.push(i);
  return out;
}

// ------------------------------------------------------------------ elementwise

const BINARY_REFS: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ["add", dg.add, (x, y) => x + y],
  ["sub", dg.sub, (x, y) => x - y],
  ["mul", dg.mul, (x, y) => x * y],
  ["div", dg.div, (x, y) => x / y],
  ["maximum", dg.maximum, Math.max],
  ["minimum", dg.minimum, Math.min],
  ["pow", (a, b) => dg.pow(dg.abs(a), b), (x, y) => Math.abs(x) ** y],
  ["atan2", dg.atan2, Math.atan2],
];

for (const [name, fn, ref] of BINARY_REFS) {
  test(`${name} broadcasts like NumPy (values vs a plain-loop reference)`, () => {
    fc.assert(
      fc.property(broadcastPairArb({ maxNumel: 64 }), seedArb, ([sa, sb], seed) => {
        const rand = uniform(seed);
        const a = randTensor(sa, rand, "any", false);
        const b = randTensor(sb, rand, "awayFromZero", false);
        assertClose(fn(a, b), refBinary(a, b, ref), name, 1e-14, 1e-14);
      }),
      params(RUNS),
    );
  });
}

test("unary math vs Math.* in float64, and float32 results are the rounded float64 ones", () => {
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ["exp", dg.exp, Math.exp],
    ["log", (x) => dg.log(dg.abs(x)), (v) => Math.log(Math.abs(v))],
    ["sqrt", (x) => dg.sqrt(dg.abs(x)), (v) => Math.sqrt(Math.abs(v))],
    ["tanh", dg.tanh, Math.tanh],
    ["sigmoid", dg.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    ["sin", dg.sin, Math.sin],
    ["cos", dg.cos, Math.cos],
    ["relu", dg.relu, (v) => Math.max(v, 0)],
    ["abs", dg.abs, Math.abs],
    ["neg", dg.neg, (v) => -v],
    ["square", dg.square, (v) => v * v],
    ["softplus", (x) => dg.softplus(x), (v) => (v > 20 ? v : Math.log1p(Math.exp(v)))],
    ["leakyRelu", (x) => dg.leakyRelu(x, 0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ["log1p", (x) => dg.log1p(dg.abs(x)), (v) => Math.log1p(Math.abs(v))],
    ["expm1", dg.expm1, Math.expm1],
  ];
  fc.assert(
    fc.property(shapeArb({ maxNumel: 64 }), seedArb, (shape, seed) => {
      const x = randTensor(shape, uniform(seed), "awayFromZero", false);
      const x32 = x.to("float32");
      for (const [name, fn, f] of cases) {
        const ref = { shape, data: Array.from(x.storage, f) };
        assertClose(fn(x), ref, name, 1e-15, 1e-14);
        // float32: inputs are rounded to float32 first; the result within float32 precision of f(rounded x).
        const ref32 = { shape, data: Array.from(x32.storage, f) };
        const y32 = fn(x32);
        assert.equal(y32.dtype, "float32", `${name} keeps float32`);
        assertClose(y32, ref32, `${name} float32`, 1e-6, 1e-6);
      }
    }),
    params(RUNS),
  );
});

test("erf and gelu (exact and tanh) vs series references", () => {
  // erf by its Maclaurin series: plenty of terms for |x| ≤ 3, no shared code with the kernel.
  const erf = (x: number): number => {
    let term = x;
    let s = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      s += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  };
  fc.assert(
    fc.property(shapeArb({ maxNumel: 32 }), seedArb, (shape, seed) => {
      const x = randTensor(shape, uniform(seed), "any", false).mul(1.5);
      assertClose(dg.erf(x), { shape, data: Array.from(x.storage, erf) }, "erf", 1e-10, 1e-9);
      assertClose(dg.gelu(x), { shape, data: Array.from(x.storage, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))) }, "gelu", 1e-10, 1e-9);
      const gt = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      assertClose(dg.gelu(x, { approximate: "tanh" }), { shape, data: Array.from(x.storage, gt) }, "gelu tanh", 1e-14, 1e-13);
    }),
    params(RUNS),
  );
});

test("where and clamp vs plain loops", () => {
  fc.assert(
    fc.property(broadcastPairArb({ maxNumel: 64 }), seedArb, ([sa, sb], seed) => {
      const rand = uniform(seed);
      const a = randTensor(sa, rand, "any", false);
      const b = randTensor(sb, rand, "any", false);
      const cond = dg.gt(a, 0);
      const ref = refBinary(a, b, (x, y) => (x > 0 ? x : y));
      assertClose(dg.where(cond, a, b), ref, "where");
      assertClose(dg.clamp(a, -0.5, 0.8), { shape: sa, data: Array.from(a.storage, (v) => Math.min(Math.max(v, -0.5), 0.8)) }, "clamp");
    }),
    params(RUNS),
  );
});

// ------------------------------------------------------------------ reductions

const reductionArb = shapeArb({ maxNumel: 64 }).chain((s) =>
  fc.tuple(fc.constant(s), fc.option(dimsArb(s.length), { nil: undefined, freq: 4 }), fc.boolean(), seedArb),
);

test("sum, mean, prod, amax, amin over random dims and keepdim vs plain loops", () => {
  fc.assert(
    fc.property(reductionArb, ([shape, dims, keepdim, seed]) => {
      const x = randTensor(shape, uniform(seed), "any", false);
      const ref = refReduce(x, dims, keepdim, 0, (s, v) => s + v);
      assertClose(dg.sum(x, dims, keepdim), ref, "sum", 1e-13, 1e-13);
      const count = numel(shape) / Math.max(1, numel(ref.shape));
      assertClose(dg.mean(x, dims, keepdim), { shape: ref.shape, data: ref.data.map((v) => v / count) }, "mean", 1e-13, 1e-13);
      assertClose(dg.prod(x, dims, keepdim), refReduce(x, dims, keepdim, 1, (s, v) => s * v), "prod", 1e-13, 1e-13);
      assertClose(dg.amax(x, dims, keepdim), refReduce(x, dims, keepdim, -Infinity, Math.max), "amax");
      assertClose(dg.amin(x, dims, keepdim), refReduce(x, dims, keepdim, Infinity, Math.min), "amin");
    }),
    params(RUNS),
  );
});

test("logsumexp, var, std and norm over random dims vs plain loops (large inputs do not overflow)", () => {
  fc.assert(
    fc.property(reductionArb, fc.constantFrom(0, 1), ([shape, dims, keepdim, seed], correction) => {
      const x = randTensor(shape, uniform(seed), "any", false);
      const big = x.mul(100).add(700); // exp(800) overflows float64; logsumexp must not
      const allDims = dims ?? shape.map((_, i) => i);
      const sumExp = refReduce(big, dims, keepdim, 0, (s, v) => s + Math.exp(v - 700));
      assertClose(dg.logsumexp(big, allDims, keepdim), { shape: sumExp.shape, data: sumExp.data.map((v) => Math.log(v) + 700) }, "logsumexp", 1e-12, 1e-13);
      // two-pass variance
      const s = refReduce(x, dims, true, 0, (a, v) => a + v);
      const n = numel(shape) / Math.max(1, numel(s.shape));
      const kept = s.shape;
      const ss = new Array<number>(numel(kept)).fill(0);
      const ds = new Set(allDims.map((d) => (d < 0 ? d + Math.max(shape.length, 1) : d)));
      for (const idx of indices(shape)) {
        const o = flat(kept, idx.map((v, d) => (ds.has(d) ? 0 : v)));
        ss[o] += (x.storage[flat(shape, idx)] - s.data[o] / n) ** 2;
      }
      const outShape = keepdim ? kept : shape.filter((_, d) => !ds.has(d));
      const varRef = ss.map((v) => v / Math.max(n - correction, 0));
      assertClose(dg.variance(x, dims, { correction, keepdim }), { shape: outShape, data: varRef }, "var", 1e-13, 1e-12);
      assertClose(dg.std(x, dims, { correction, keepdim }), { shape: outShape, data: varRef.map(Math.sqrt) }, "std", 1e-13, 1e-12);
      const n2 = refReduce(x, dims, keepdim, 0, (a, v) => a + v * v);
      assertClose(dg.norm(x, 2, dims, keepdim), { shape: n2.shape, data: n2.data.map(Math.sqrt) }, "norm 2", 1e-13, 1e-13);
      assertClose(dg.norm(x, 1, dims, keepdim), refReduce(x, dims, keepdim, 0, (a, v) => a + Math.abs(v)), "norm 1", 1e-13, 1e-13);
      assertClose(dg.norm(x, Infinity, dims, keepdim), refReduce(x, dims, keepdim, 0, (a, v) => Math.max(a, Math.abs(v))), "norm inf");
    }),
    params(RUNS),
  );
});

test("max/min with a dim: values and first-occurrence indices vs plain loops; argmax over all", () => {
  fc.assert(
    fc.property(
      shapeArb({ minRank: 1, maxNumel: 64 }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean(), seedArb)),
      ([shape, dim, keepdim, seed]) => {
        // Rounded values make ties common: PyTorch's CPU max returns the first index among ties.
        const x = randTensor(shape, uniform(seed), "any", false).mul(2).round();
        const d = dim < 0 ? dim + shape.length : dim;
        const kept = shape.map((n, k) => (k === d ? 1 : n));
        const best = new Array<number>(numel(kept)).fill(-Infinity);
        const arg = new Array<number>(numel(kept)).fill(-1);
        const worst = new Array<number>(numel(kept)).fill(Infinity);
        const argMin = new Array<number>(numel(kept)).fill(-1);
        for (const idx of indices(shape)) {
          const o = flat(kept, idx.map((v, k) => (k === d ? 0 : v)));
          const v = x.storage[flat(shape, idx)];
          if (v > best[o]) (best[o] = v), (arg[o] = idx[d]);
          if (v < worst[o]) (worst[o] = v), (argMin[o] = idx[d]);
        }
        const outShape = keepdim ? kept : shape.filter((_, k) => k !== d);
        const mx = dg.max(x, dim, keepdim);
        assertClose(mx.values, { shape: outShape, data: best }, "max values");
        assertClose(mx.indices, { shape: outShape, data: arg }, "max indices");
        assert.equal(mx.indices.dtype, "int32");
        const mn = dg.min(x, dim, keepdim);
        assertClose(mn.values, { shape: outShape, data: worst }, "min values");
        assertClose(mn.indices, { shape: outShape, data: argMin }, "min indices");
        const all = Array.from(x.storage);
        // (=== rather than Object.is: rounding leaves -0 and 0, which max treats as equal)
        assert.ok(dg.argmax(x).item() === all.indexOf(Math.max(...all)), "argmax is the first maximum");
        assert.ok(x.max().item() === Math.max(...all), "max over all");
      },
    ),
    params(RUNS),
  );
});

test("cumsum, softmax and logSoftmax along a random dim vs plain loops", () => {
  fc.assert(
    fc.property(
      shapeArb({ minRank: 1, maxNumel: 64 }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), seedArb)),
      ([shape, dim, seed]) => {
        const x = randTensor(shape, uniform(seed), "any", false).mul(40); // exp(80) overflows float32
        const d = dim < 0 ? dim + shape.length : dim;
        const cum: number[] = new Array(numel(shape)).fill(0);
        const sm: number[] = new Array(numel(shape)).fill(0);
        const lsm: number[] = new Array(numel(shape)).fill(0);
        for (const idx of indices(shape)) {
          if (idx[d] !== 0) continue;
          const line = Array.from({ length: shape[d] }, (_, i) => flat(shape, idx.map((v, k) => (k === d ? i : v))));
          const vals = line.map((p) => x.storage[p]);
          const m = Math.max(...vals);
          const z = vals.reduce((a, v) => a + Math.exp(v - m), 0);
          let acc = 0;
          line.forEach((p, i) => {
            acc += vals[i];
            cum[p] = acc;
            sm[p] = Math.exp(vals[i] - m) / z;
            lsm[p] = vals[i] - m - Math.log(z);
          });
        }
        assertClose(dg.cumsum(x, dim), { shape, data: cum }, "cumsum", 1e-12, 1e-13);
        assertClose(dg.softmax(x, dim), { shape, data: sm }, "softmax", 1e-14, 1e-12);
        assertClose(dg.logSoftmax(x, dim), { shape, data: lsm }, "logSoftmax", 1e-12, 1e-13);
        // float32: no overflow, rows sum to 1
        const s32 = dg.softmax(x.to("float32"), dim);
        assert.ok(Array.from(s32.storage).every(Number.isFinite), "float32 softmax is finite");
        assertClose(dg.sum(s32, dim), { shape: shape.filter((_, k) => k !== d), data: new Array(numel(shape) / shape[d]).fill(1) }, "softmax sums to 1", 1e-5, 0);
      },
    ),
    params(RUNS),
  );
});

// ------------------------------------------------------------------ matmul

test("matmul in every form vs a triple loop with broadcast batches", () => {
  const size = fc.integer({ min: 1, max: 4 });
  fc.assert(
    fc.property(size, size, size, broadcastPairArb({ maxNumel: 8 }), matmulFormArb, seedArb, (m, k, n, [ba, bb], form, seed) => {
      const rand = uniform(seed);
      const [sa, sb] = matmulShapes(form, m, k, n, ba, bb);
      const a = randTensor(sa, rand, "any", false);
      const b = randTensor(sb, rand, "any", false);
      assertClose(dg.matmul(a, b), refMatmul(a, b), `matmul ${form} ${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`, 1e-13, 1e-13);
      const r32 = dg.matmul(a.to("float32"), b.to("float32"));
      assertClose(r32, refMatmul(a.to("float32"), b.to("float32")), `matmul float32 ${form}`, 1e-5, 1e-5);
    }),
    params(60),
  );
});

// ------------------------------------------------------------------ shape and indexing

test("permute, transpose, reshape and expand move elements as index maps say", () => {
  fc.assert(
    fc.property(broadcastPairArb({ maxNumel: 64 }), seedArb, ([sa, sb], seed) => {
      const rand = uniform(seed);
      const x = randTensor(sa, rand, "any", false);
      const perm = sa.map((_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const pshape = perm.map((p) => sa[p]);
      const pdata: number[] = [];
      for (const idx of indices(pshape)) {
        const src = new Array<number>(sa.length);
        perm.forEach((p, i) => (src[p] = idx[i]));
        pdata.push(x.storage[flat(sa, src)]);
      }
      assertClose(x.permute(perm), { shape: pshape, data: pdata }, "permute");
      assertClose(x.reshape([-1]), { shape: [numel(sa)], data: Array.from(x.storage) }, "reshape");
      if (sa.length >= 2) {
        const t = x.transpose(0, -1);
        const r = sa.length - 1;
        for (const idx of indices(t.shape)) {
          const src = idx.slice();
          [src[0], src[r]] = [src[r], src[0]];
          assert.equal(t.storage[flat(t.shape, idx)], x.storage[flat(sa, src)]);
        }
      }
      const full = broadcastShape(sa, sb);
      const y = randTensor(sb, rand, "any", false);
      const e = y.expand(full);
      const edata: number[] = [];
      for (const idx of indices(full)) edata.push(bcastAt(y.storage, sb, idx));
      assertClose(e, { shape: full, data: edata }, "expand");
    }),
    params(RUNS),
  );
});

test("Python slicing (negative and out-of-range bounds, steps) and select vs pyRange", () => {
  const spec = (size: number) =>
    fc.tuple(
      fc.option(fc.integer({ min: -size - 2, max: size + 2 }), { nil: null }),
      fc.option(fc.integer({ min: -size - 2, max: size + 2 }), { nil: null }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
    );
  fc.assert(
    fc.property(
      shapeArb({ minRank: 1, maxNumel: 64 }).chain((s) => fc.tuple(fc.constant(s), fc.tuple(...s.map(spec)), fc.integer({ min: 1, max: s.length }), seedArb)),
      ([shape, specs, count, seed]) => {
        const x = randTensor(shape, uniform(seed), "any", false);
        const used = specs.slice(0, count);
        const ranges = shape.map((n, d) => (d < count ? pyRange(n, ...used[d]) : pyRange(n, null, null, null)));
        const outShape = ranges.map((r) => r.length);
        const data: number[] = [];
        for (const idx of indices(outShape)) data.push(x.storage[flat(shape, idx.map((v, d) => ranges[d][v]))]);
        const y = dg.sliceDims(x, used.map(([start, stop, step]) => ({ start, stop, step })));
        assertClose(y, { shape: outShape, data }, `slice ${JSON.stringify(used)} of ${JSON.stringify(shape)}`);
        // select with a negative index == the slice [i:i+1] squeezed
        const dim = count - 1;
        const i = -1 - (seed % shape[dim]);
        const sel = x.select(dim, i);
        const pos = i + shape[dim];
        const sdata: number[] = [];
        const sshape = shape.filter((_, d) => d !== dim);
        for (const idx of indices(sshape)) sdata.push(x.storage[flat(shape, [...idx.slice(0, dim), pos, ...idx.slice(dim)])]);
        assertClose(sel, { shape: sshape, data: sdata }, "select");
      },
    ),
    params(60),
  );
});

test("cat, stack, split and chunk vs plain loops; split then cat is the identity", () => {
  fc.assert(
    fc.property(
      shapeArb({ minRank: 1, maxNumel: 32 }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), seedArb)),
      ([shape, dim, extra, piece, seed]) => {
        const rand = uniform(seed);
        const d = dim < 0 ? dim + shape.length : dim;
        const other = shape.slice();
        other[d] = extra;
        const a = randTensor(shape, rand, "any", false);
        const b = randTensor(other, rand, "any", false);
        const cshape = shape.slice();
        cshape[d] += extra;
        const cdata: number[] = [];
        for (const idx of indices(cshape)) {
          cdata.push(idx[d] < shape[d] ? a.storage[flat(shape, idx)] : b.storage[flat(other, idx.map((v, k) => (k === d ? v - shape[d] : v)))]);
        }
        assertClose(dg.cat([a, b], dim), { shape: cshape, data: cdata }, "cat");
        const a2 = randTensor(shape, rand, "any", false);
        const sd = dim < 0 ? dim + shape.length + 1 : dim;
        const sshape = [...shape.slice(0, sd), 2, ...shape.slice(sd)];
        const sdata: number[] = [];
        for (const idx of indices(sshape)) {
          const src = [...idx.slice(0, sd), ...idx.slice(sd + 1)];
          sdata.push((idx[sd] === 0 ? a : a2).storage[flat(shape, src)]);
        }
        assertClose(dg.stack([a, a2], sd), { shape: sshape, data: sdata }, "stack");
        const parts = dg.split(a, piece, dim);
        assert.deepEqual(parts.map((p) => p.shape[d]), Array.from({ length: Math.ceil(shape[d] / piece) }, (_, i) => Math.min(piece, shape[d] - i * piece)));
        assertClose(dg.cat(parts, dim), { shape, data: Array.from(a.storage) }, "split then cat");
        const chunks = dg.chunk(a, piece, dim);
        assert.ok(chunks.length <= piece);
        assertClose(dg.cat(chunks, dim), { shape, data: Array.from(a.storage) }, "chunk then cat");
      },
    ),
    params(RUNS),
  );
});

test("gather and scatterAdd vs plain loops (repeated indices accumulate)", () => {
  fc.assert(
    fc.property(
      shapeArb({ minRank: 1, maxNumel: 32 }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), seedArb)),
      ([shape, dim, seed]) => {
        const rand = uniform(seed);
        const d = dim < 0 ? dim + shape.length : dim;
        const ishape = shape.map((n, k) => (k === d ? 1 + Math.floor(rand() * 5) : 1 + Math.floor(rand() * n)));
        const index = fromBuffer(Int32Array.from({ length: numel(ishape) }, () => Math.floor(rand() * shape[d])), ishape, "int32");
        const x = randTensor(shape, rand, "any", false);
        const gdata: number[] = [];
        for (const idx of indices(ishape)) {
          gdata.push(x.storage[flat(shape, idx.map((v, k) => (k === d ? index.storage[flat(ishape, idx)] : v)))]);
        }
        assertClose(dg.gather(x, dim, index), { shape: ishape, data: gdata }, "gather");
        const src = randTensor(ishape, rand, "any", false);
        const sdata = Array.from(x.storage);
        for (const idx of indices(ishape)) {
          sdata[flat(shape, idx.map((v, k) => (k === d ? index.storage[flat(ishape, idx)] : v)))] += src.storage[flat(ishape, idx)];
        }
        assertClose(dg.scatterAdd(x, dim, index, src), { shape, data: sdata }, "scatterAdd", 1e-14, 1e-14);
      },
    ),
    params(RUNS),
  );
});

// ------------------------------------------------------------------ gradient identities

test("the gradient of a broadcast operand is the upstream gradient summed over the broadcast dims", () => {
  fc.assert(
    fc.property(broadcastPairArb({ maxNumel: 64 }), seedArb, ([sa, sb], seed) => {
      const rand = uniform(seed);
      const a = randTensor(sa, rand);
      const b = randTensor(sb, rand);
      const out = dg.mul(a, b);
      const g = randTensor(out.shape, rand, "any", false);
      const [ga, gb] = grad(out, [a, b], { gradOutputs: [g] });
      // reference: sum over the result of g * (the other operand), mapped back by broadcasting
      const refFor = (self: Tensor, other: Tensor): Ref => {
        const acc = new Array<number>(numel(self.shape)).fill(0);
        for (const idx of indices(out.shape)) {
          const lead = idx.length - self.shape.length;
          const own = self.shape.map((n, k) => (n === 1 ? 0 : idx[k + lead]));
          acc[flat(self.shape, own)] += g.storage[flat(out.shape, idx)] * bcastAt(other.storage, other.shape, idx);
        }
        return { shape: self.shape.slice(), data: acc };
      };
      assertClose(ga!, refFor(a, b), "grad a", 1e-13, 1e-13);
      assertClose(gb!, refFor(b, a), "grad b", 1e-13, 1e-13);
    }),
    params(RUNS),
  );
});

test("gradients of matmul are g @ bᵀ and aᵀ @ g (2-D), checked with plain loops", () => {
  const size = fc.integer({ min: 1, max: 5 });
  fc.assert(
    fc.property(size, size, size, seedArb, (m, k, n, seed) => {
      const rand = uniform(seed);
      const a = randTensor([m, k], rand);
      const b = randTensor([k, n], rand);
      const g = randTensor([m, n], rand, "any", false);
      const [ga, gb] = grad(dg.matmul(a, b), [a, b], { gradOutputs: [g] });
      const refGa: number[] = [];
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) refGa.push(Array.from({ length: n }, (_, j) => g.storage[i * n + j] * b.storage[p * n + j]).reduce((s, v) => s + v, 0));
      const refGb: number[] = [];
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) refGb.push(Array.from({ length: m }, (_, i) => a.storage[i * k + p] * g.storage[i * n + j]).reduce((s, v) => s + v, 0));
      assertClose(ga!, { shape: [m, k], data: refGa }, "grad a", 1e-13, 1e-13);
      assertClose(gb!, { shape: [k, n], data: refGb }, "grad b", 1e-13, 1e-13);
    }),
    params(RUNS),
  );
});
