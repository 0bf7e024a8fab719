// gradcheck and gradgradcheck themselves, then both applied (float64 central differences) to every
// differentiable op of the core on random shapes, broadcasts, dims and indices from fast-check.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as dg from "../src/index.js";
import { DuogradError, fromBuffer, grad, gradcheck, gradgradcheck, tensor, Tensor } from "../src/index.js";
import { broadcastPairArb, matmulFormArb, matmulShapes, broadcastShape, dimsArb, numel, params, randTensor, shapeArb, uniform, values, type Domain } from "./arbitraries.js";
import { pushRecorder } from "../src/autograd/node.js";
import { TABLE } from "../src/ops/table.js";

// Every graph node built in this file, by op name: the last test checks that each differentiable op
// of the table went through gradcheck here.
const exercised = new Set<string>();
pushRecorder({ record: (n) => exercised.add(n.name) });

type Fn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

/** Both checks must pass (they throw a DuogradError naming the mismatch otherwise). */
function check(fn: Fn, inputs: Tensor[]): void {
  assert.equal(gradcheck(fn, inputs), true);
  assert.equal(gradgradcheck(fn, inputs), true);
}

const f64 = (data: number[], shape: number[] = [data.length], requiresGrad = true): Tensor => {
  const t = fromBuffer(Float64Array.from(data), shape, "float64");
  if (requiresGrad) t.requiresGrad_(true);
  return t;
};

const int32 = (data: number[], shape: number[]): Tensor => fromBuffer(Int32Array.from(data), shape, "int32");

/** Values in [lo, hi] at least `margin` away from each of `avoid` (non-differentiable points). */
function avoiding(n: number, rand: () => number, lo: number, hi: number, avoid: number[], margin = 0.05): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x: number;
    do x = lo + (hi - lo) * rand();
    while (avoid.some((p) => Math.abs(x - p) < margin));
    v[i] = x;
  }
  return v;
}

// ------------------------------------------------------------------------------ gradcheck itself

test("gradcheck passes a correct gradient and returns true", () => {
  const x = f64([0.5, -1.2, 0.3, 2.0], [2, 2]);
  assert.equal(gradcheck((a) => a.tanh().mul(a).sum(1), [x]), true);
  assert.equal(gradgradcheck((a) => a.tanh().mul(a).sum(1), [x]), true);
});

test("gradcheck finds a wrong gradient and names the input, the element and both values", () => {
  const x = f64([0.5, -1.2, 0.3]);
  const y = f64([1.5, 0.7, -0.4]);
  // d/dy of (y*3).detach() + y is 3 numerically but 1 analytically.
  const broken = (a: Tensor, b: Tensor) => a.mul(b.mul(3).detach().add(b));
  assert.throws(
    () => gradcheck(broken, [x, y]),
    (e: unknown) => {
      assert.ok(e instanceof DuogradError, "a DuogradError");
      const m = (e as Error).message;
      assert.match(m, /gradcheck/);
      assert.match(m, /input 1/);
      assert.match(m, /element \(0\)/);
      // a = 0.5: numerical d(a·4b)/db = 2, analytical a·1 = 0.5.
      const found = /numerical (\S+), analytical (\S+) /.exec(m);
      assert.ok(found, "both values named");
      assert.ok(Math.abs(Number(found[1]) - 2) < 1e-6, `numerical ${found[1]}`);
      assert.equal(Number(found[2]), 0.5);
      return true;
    },
  );
  assert.equal(gradcheck(broken, [x, y], { raiseException: false }), false);
  // The first input's gradient is right; checking it alone passes.
  assert.equal(gradcheck((a) => broken(a, y.detach()), [x]), true);
});

test("gradgradcheck finds a wrong second derivative that gradcheck cannot see", () => {
  const x = f64([0.5, -1.2, 0.3]);
  // Value x², first derivative 2x (right), but the derivative is a constant in the graph.
  const f = (a: Tensor) => {
    const c = a.detach();
    return c.square().add(c.mul(2).mul(a.sub(c)));
  };
  assert.equal(gradcheck(f, [x]), true);
  assert.throws(() => gradgradcheck(f, [x]), (e: unknown) => e instanceof DuogradError && /input 0/.test((e as Error).message));
  assert.equal(gradgradcheck(f, [x], { raiseException: false }), false);
});

test("gradcheck takes several outputs, non-float outputs and non-differentiable inputs", () => {
  const x = f64([0.1, 0.9, -0.5, 0.4, 1.3, -2.0], [2, 3]);
  const idx = int32([2, 0, 1, 1], [2, 2]);
  const fn = (a: Tensor, i: Tensor) => {
    const m = a.max(1);
    return [a.gather(1, i), m.values, m.indices, a.exp().sum()];
  };
  check(fn, [x, idx]);
});

test("gradcheck leaves its inputs untouched", () => {
  const x = f64([0.5, -1.2, 0.3, 2.0], [2, 2]);
  const before = Array.from(x.storage);
  gradcheck((a) => a.sin(), [x]);
  gradgradcheck((a) => a.sin(), [x]);
  assert.deepEqual(Array.from(x.storage), before);
  assert.equal(x.grad, null);
  assert.equal(x.version, 0);
});

test("gradcheck refuses float32 inputs and calls with nothing to check", () => {
  const x32 = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => gradcheck((a) => a.mul(2), [x32]), (e: unknown) => e instanceof DuogradError && /input 0.*float32/.test((e as Error).message));
  const c = f64([1, 2], [2], false);
  assert.throws(() => gradcheck((a) => a.mul(2), [c]), /at least one input/);
  assert.throws(() => gradgradcheck((a) => a.mul(2), [c]), /at least one input/);
});

test("gradcheck honours eps, atol and rtol", () => {
  const x = f64([1.0, 2.0]);
  // A tiny deliberate error of 1e-4 in the gradient: outside atol 1e-5 + rtol 1e-5, inside the defaults' rtol 1e-3·2.
  const fn = (a: Tensor) => a.square().add(a.mul(1e-4).detach().sub(a.mul(1e-4)));
  assert.equal(gradcheck(fn, [x]), true);
  assert.equal(gradcheck(fn, [x], { atol: 1e-7, rtol: 1e-7, raiseException: false }), false);
});

// ------------------------------------------------------------------------------ op coverage

const RUNS = 30;
const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

/** gradcheck + gradgradcheck of a one-input op over random shapes of values from `gen`. */
function unaryProperty(fn: (x: Tensor) => Tensor, gen: (n: number, rand: () => number) => Float64Array, maxNumel = 32): void {
  fc.assert(
    fc.property(shapeArb({ maxNumel }), seedArb, (shape, seed) => {
      const x = fromBuffer(gen(numel(shape), uniform(seed)), shape, "float64").requiresGrad_(true);
      check(fn, [x]);
    }),
    params(RUNS),
  );
}

const dom = (d: Domain) => (n: number, rand: () => number) => values(n, rand, d);
const band = (lo: number, hi: number, avoid: number[] = []) => (n: number, rand: () => number) => avoiding(n, rand, lo, hi, avoid);

const UNARY: [string, (x: Tensor) => Tensor, (n: number, rand: () => number) => Float64Array][] = [
  ["neg", dg.neg, dom("any")],
  ["exp", dg.exp, dom("any")],
  ["log", dg.log, dom("positive")],
  ["sqrt", dg.sqrt, dom("positive")],
  ["rsqrt", dg.rsqrt, dom("positive")],
  ["square", dg.square, dom("any")],
  ["abs", dg.abs, dom("awayFromZero")],
  ["sin", dg.sin, dom("any")],
  ["cos", dg.cos, dom("any")],
  ["tan", dg.tan, band(-1.2, 1.2)],
  ["tanh", dg.tanh, dom("any")],
  ["sigmoid", dg.sigmoid, dom("any")],
  ["relu", dg.relu, dom("awayFromZero")],
  ["log1p", dg.log1p, band(-0.8, 2)],
  ["expm1", dg.expm1, dom("any")],
  ["erf", dg.erf, dom("any")],
  // |x| ≥ 0.3 keeps 2/x³ tame for the second-order differences.
  ["reciprocal", dg.reciprocal, (n, r) => avoiding(n, r, -2, 2, [0], 0.3)],
  ["silu", dg.silu, dom("any")],
  ["leakyRelu(0.2)", (x) => dg.leakyRelu(x, 0.2), dom("awayFromZero")],
  ["elu(1.5)", (x) => dg.elu(x, 1.5), dom("awayFromZero")],
  ["softplus", (x) => dg.softplus(x), dom("any")],
  ["softplus(beta 2, threshold 3)", (x) => dg.softplus(x, { beta: 2, threshold: 3 }), band(-2, 2, [1.5])],
  ["gelu", (x) => dg.gelu(x), dom("any")],
  ["gelu(tanh)", (x) => dg.gelu(x, { approximate: "tanh" }), dom("any")],
  ["x ** 2", (x) => x.pow(2), dom("any")],
  ["x ** 3", (x) => x.pow(3), dom("any")],
  ["x ** 0", (x) => x.pow(0), dom("any")],
  ["x ** -1.5", (x) => x.pow(-1.5), dom("positive")],
  ["x ** 0.5", (x) => dg.powScalar(x, 0.5), dom("positive")],
  ["2 ** x", (x) => dg.rpowScalar(2, x), dom("any")],
  ["0.5 ** x (pow)", (x) => dg.pow(0.5, x), dom("any")],
  ["clone", dg.clone, dom("any")],
  ["clamp(-0.5, 0.8)", (x) => dg.clamp(x, -0.5, 0.8), band(-2, 2, [-0.5, 0.8])],
  ["clamp(min 0.3)", (x) => x.clamp(0.3), band(-2, 2, [0.3])],
  ["clamp(max -0.3)", (x) => x.clamp(null, -0.3), band(-2, 2, [-0.3])],
];

for (const [name, fn, gen] of UNARY) {
  test(`unary ${name}: gradcheck and gradgradcheck`, () => unaryProperty(fn, gen));
}

test("zero-gradient ops (sign, floor, ceil, round, trunc) and casts: gradcheck and gradgradcheck", () => {
  // away from the jumps: |x| ≥ 0.05 and x at least 0.05 from every integer and half-integer
  const gen = (n: number, r: () => number) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = Math.floor(r() * 6) - 3 + 0.1 + 0.3 * r() + (r() < 0.5 ? 0 : 0.5);
    return v;
  };
  unaryProperty(dg.sign, gen);
  unaryProperty(dg.floor, gen);
  unaryProperty(dg.ceil, gen);
  unaryProperty(dg.round, gen);
  unaryProperty(dg.trunc, gen);
  // float64 → float32 → float64: linear, so a large eps is exact up to float32 rounding
  const x = f64([0.3, -1.7, 2.25], [3]);
  const opts = { eps: 1e-2, atol: 1e-4, rtol: 1e-4 };
  assert.equal(gradcheck((a) => a.to("float32").to("float64").mul(3), [x], opts), true);
  assert.equal(gradgradcheck((a) => a.to("float32").to("float64").mul(3), [x], opts), true);
  assert.equal(dg.grad(x.float().sum(), [x])[0]!.dtype, "float64");
});

test("fmod and remainder: gradients for both operands (PyTorch: -g·trunc(a/b), -g·floor(a/b))", () => {
  fc.assert(
    fc.property(shapeArb({ maxNumel: 12 }), seedArb, (shape, seed) => {
      const rand = uniform(seed);
      const n = numel(shape);
      // b away from 0, and a/b at least 0.2 from an integer (where the quotient jumps)
      const bv = values(n, rand, "awayFromZero").map((v) => v + Math.sign(v) * 0.4);
      const av = bv.map((v) => v * (Math.floor(rand() * 5) - 2 + 0.2 + 0.6 * rand()));
      const a = fromBuffer(av, shape, "float64").requiresGrad_(true);
      const b = fromBuffer(bv, shape, "float64").requiresGrad_(true);
      check(dg.fmod, [a, b]);
      check(dg.remainder, [a, b]);
    }),
    params(RUNS),
  );
});

/** Values of two tensors that never tie (|a - b| ≥ 0.3 wherever they broadcast together). */
function untied(shape: number[], rand: () => number, offset: number): Float64Array {
  const v = new Float64Array(numel(shape));
  for (let i = 0; i < v.length; i++) v[i] = Math.floor(rand() * 4) - 2 + offset + 0.1 * rand();
  return v;
}

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, Domain, Domain | "untied"][] = [
  ["add", dg.add, "any", "any"],
  ["sub", dg.sub, "any", "any"],
  ["mul", dg.mul, "any", "any"],
  ["div", dg.div, "any", "awayFromZero"],
  ["pow", dg.pow, "positive", "any"],
  ["atan2", dg.atan2, "any", "awayFromZero"],
  ["maximum", dg.maximum, "any", "untied"],
  ["minimum", dg.minimum, "any", "untied"],
];

for (const [name, fn, da, db] of BINARY) {
  test(`binary ${name} with broadcasting: gradcheck and gradgradcheck`, () => {
    fc.assert(
      fc.property(broadcastPairArb({ maxNumel: 24 }), seedArb, ([sa, sb], seed) => {
        const rand = uniform(seed);
        let a: Tensor;
        let b: Tensor;
        if (db === "untied") {
          a = fromBuffer(untied(sa, rand, 0.25), sa, "float64").requiresGrad_(true);
          b = fromBuffer(untied(sb, rand, 0.75), sb, "float64").requiresGrad_(true);
        } else {
          a = randTensor(sa, rand, da);
          b = randTensor(sb, rand, db);
        }
        const out = fn(a, b);
        assert.deepEqual(out.shape, broadcastShape(sa, sb));
        check(fn, [a, b]);
      }),
      params(RUNS),
    );
  });
}

test("binary ops with a number on either side: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(shapeArb({ maxNumel: 24 }), seedArb, fc.double({ min: 0.5, max: 2, noNaN: true }), (shape, seed, s) => {
      const rand = uniform(seed);
      const x = randTensor(shape, rand, "any");
      const xp = randTensor(shape, rand, "positive");
      const xz = randTensor(shape, rand, "awayFromZero");
      check((a) => dg.add(a, s), [x]);
      check((a) => dg.add(s, a), [x]);
      check((a) => dg.sub(s, a), [x]);
      check((a) => dg.mul(a, -s), [x]);
      check((a) => dg.div(a, s), [x]);
      check((a) => dg.div(s, a), [xz]);
      check((a) => dg.pow(a, s), [xp]);
      check((a) => dg.pow(s, a), [x]);
    }),
    params(8),
  );
});

test("where with a broadcast condition: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(broadcastPairArb({ maxNumel: 24 }), seedArb, fc.integer({ min: 0, max: 4 }), ([sa, sb], seed, drop) => {
      const rand = uniform(seed);
      const full = broadcastShape(sa, sb);
      const cs = full.slice(Math.min(drop, full.length)).map((d) => (rand() < 0.3 ? 1 : d));
      const cond = fromBuffer(Uint8Array.from({ length: numel(cs) }, () => (rand() < 0.5 ? 1 : 0)), cs, "bool");
      const a = randTensor(sa, rand);
      const b = randTensor(sb, rand);
      assert.deepEqual(dg.where(cond, a, b).shape, broadcastShape(cs, full));
      check((x, y) => dg.where(cond, x, y), [a, b]);
      check((x) => dg.where(cond, x, 0.5), [a]);
    }),
    params(RUNS),
  );
});

test("clamp with tensor bounds: gradients reach x and the bounds", () => {
  fc.assert(
    fc.property(broadcastPairArb({ maxNumel: 24 }), seedArb, ([sx, sb], seed) => {
      const rand = uniform(seed);
      const x = fromBuffer(untied(sx, rand, 0.25), sx, "float64").requiresGrad_(true);
      const lo = fromBuffer(untied(sb, rand, 0.75), sb, "float64").requiresGrad_(true);
      // The upper bound above every value of lo keeps min ≤ max.
      const hi = fromBuffer(untied(sb, rand, 0.75).map((v) => v + 1), sb, "float64").requiresGrad_(true);
      check((a, l, h) => dg.clamp(a, l, h), [x, lo, hi]);
    }),
    params(RUNS),
  );
});

// Reductions ---------------------------------------------------------------------------------------

/** A shape, a dims list for it (or undefined: all dims) and keepdim. */
const reductionArb = (maxNumel = 32) =>
  shapeArb({ maxNumel }).chain((s) =>
    fc.tuple(fc.constant(s), fc.option(dimsArb(s.length), { nil: undefined, freq: 4 }), fc.boolean(), seedArb),
  );

const REDUCTIONS: [string, (x: Tensor, dims: number[] | undefined, keepdim: boolean) => Tensor, Domain][] = [
  ["sum", (x, d, k) => dg.sum(x, d, k), "any"],
  ["mean", (x, d, k) => dg.mean(x, d, k), "any"],
  ["prod", (x, d, k) => dg.prod(x, d, k), "awayFromZero"],
  ["amax", (x, d, k) => dg.amax(x, d, k), "distinct"],
  ["amin", (x, d, k) => dg.amin(x, d, k), "distinct"],
  ["logsumexp", (x, d, k) => dg.logsumexp(x, d ?? x.shape.map((_, i) => i), k), "any"],
  ["norm 2", (x, d, k) => dg.norm(x, 2, d, k), "awayFromZero"],
  ["norm 1", (x, d, k) => dg.norm(x, 1, d, k), "awayFromZero"],
  ["norm 3", (x, d, k) => dg.norm(x, 3, d, k), "awayFromZero"],
];

for (const [name, fn, d] of REDUCTIONS) {
  test(`reduction ${name} over random dims, keepdim: gradcheck and gradgradcheck`, () => {
    fc.assert(
      fc.property(reductionArb(), ([shape, dims, keepdim, seed]) => {
        const x = randTensor(shape, uniform(seed), d);
        check((a) => fn(a, dims, keepdim), [x]);
      }),
      params(RUNS),
    );
  });
}

test("reduction norm ∞ (distinct magnitudes): gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(reductionArb(), ([shape, dims, keepdim, seed]) => {
      const rand = uniform(seed);
      const v = values(numel(shape), rand, "distinct").map((x, i) => (x + 10) * (i % 2 ? -1 : 1));
      const x = fromBuffer(v, shape, "float64").requiresGrad_(true);
      check((a) => dg.norm(a, Infinity, dims, keepdim), [x]);
    }),
    params(RUNS),
  );
});

test("prod with zeros in the reduced slices: no 0/0, PyTorch's gradients", () => {
  // One zero per slice: the zero's gradient is the product of the others; first and second order.
  fc.assert(
    fc.property(reductionArb(), ([shape, dims, keepdim, seed]) => {
      const rand = uniform(seed);
      const v = values(numel(shape), rand, "awayFromZero");
      v[Math.floor(rand() * v.length)] = 0;
      const x = fromBuffer(v, shape, "float64").requiresGrad_(true);
      check((a) => dg.prod(a, dims, keepdim), [x]);
    }),
    params(RUNS),
  );
  // Two zeros: every gradient is 0 (first order; PyTorch's full-reduction double backward is 0 too).
  const x = f64([0, 1.5, 0, 2]);
  assert.deepEqual(Array.from(dg.grad(x.prod(), [x])[0]!.storage), [0, 0, 0, 0]);
  assert.equal(gradcheck((a) => a.prod(), [x]), true);
  const y = f64([1.5, 0, 2]);
  assert.deepEqual(Array.from(dg.grad(y.prod(), [y])[0]!.storage), [0, 3, 0]);
});

test("norm of a zero slice has gradient 0, as PyTorch (not NaN)", () => {
  for (const p of [2, 3]) {
    const x = f64([0, 0, 0.5, -1.2], [2, 2]);
    const [g] = dg.grad(dg.norm(x, p, 1).sum(), [x]);
    assert.deepEqual(Array.from(g!.storage).slice(0, 2), [0, 0], `p = ${p}`);
    assert.ok(Array.from(g!.storage).every(Number.isFinite));
    assert.equal(gradcheck((a) => dg.norm(a, p, 1), [x]), true);
    assert.equal(dg.norm(f64([0, 0]), p).item(), 0);
  }
});

test("var and std (correction 0 and 1) over random dims: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(
      reductionArb().filter(([s, dims]) => {
        const ds = dims === undefined ? s.map((_, i) => i) : dims.map((d) => (d < 0 ? d + s.length : d));
        return numel(ds.map((d) => s[d] ?? 1)) >= 2;
      }),
      fc.constantFrom(0, 1),
      ([shape, dims, keepdim, seed], correction) => {
        const x = randTensor(shape, uniform(seed), "distinct");
        check((a) => dg.variance(a, dims, { correction, keepdim }), [x]);
        check((a) => dg.std(a, dims, { correction, keepdim }), [x]);
      },
    ),
    params(RUNS),
  );
});

test("max/min with a dim (values and indices): gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(shapeArb({ minRank: 1, maxNumel: 24 }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean(), seedArb)), ([shape, dim, keepdim, seed]) => {
      const x = randTensor(shape, uniform(seed), "distinct");
      check((a) => {
        const r = dg.max(a, dim, keepdim);
        return [r.values, r.indices];
      }, [x]);
      check((a) => dg.min(a, dim, keepdim).values, [x]);
      check((a) => a.max(), [x]);
      check((a) => a.min(), [x]);
    }),
    params(RUNS),
  );
});

const dimOf = (minRank = 1, maxNumel = 24) =>
  shapeArb({ minRank, maxNumel }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), seedArb));

test("cumsum, softmax, logSoftmax along a random dim: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(dimOf(), ([shape, dim, seed]) => {
      const x = randTensor(shape, uniform(seed));
      check((a) => dg.cumsum(a, dim), [x]);
      check((a) => dg.softmax(a, dim), [x]);
      check((a) => dg.logSoftmax(a, dim), [x]);
    }),
    params(RUNS),
  );
});

// Shape ops ----------------------------------------------------------------------------------------

test("reshape, flatten, squeeze, unsqueeze, permute, transpose, expand: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(
      broadcastPairArb({ maxNumel: 24 }),
      seedArb,
      fc.integer({ min: 0, max: 100 }),
      ([sa, sb], seed, pick) => {
        const rand = uniform(seed);
        const x = randTensor(sa, rand);
        const r = sa.length;
        // reshape to the reversed shape with one dim inferred
        const target = sa.slice().reverse();
        if (r > 0) target[pick % r] = -1;
        check((a) => a.reshape(target), [x]);
        check((a) => a.flatten(), [x]);
        check((a) => a.unsqueeze(r === 0 ? 0 : -1 - (pick % (r + 1))).squeeze(), [x]);
        // a random permutation
        const perm = sa.map((_, i) => i);
        for (let i = r - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        check((a) => a.permute(perm), [x]);
        if (r > 0) check((a) => a.transpose(pick % r, -1 - (Math.floor(pick / 7) % r)), [x]);
        // expand the smaller of the pair to the broadcast shape
        const full = broadcastShape(sa, sb);
        const y = randTensor(sb, rand);
        check((b) => b.expand(full), [y]);
      },
    ),
    params(RUNS),
  );
});

/** A Python slice spec for a dim of `size`: random start/stop (maybe negative or omitted), step 1–3. */
const sliceSpecArb = (size: number) =>
  fc.record({
    start: fc.option(fc.integer({ min: -size - 1, max: size + 1 }), { nil: null }),
    stop: fc.option(fc.integer({ min: -size - 1, max: size + 1 }), { nil: null }),
    step: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  });

test("slicing with random starts, stops, steps and negative indices: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(
      shapeArb({ minRank: 1, maxNumel: 16 }).chain((s) =>
        fc.tuple(fc.constant(s), fc.tuple(...s.map(sliceSpecArb)).chain((specs) => fc.tuple(fc.constant(specs), fc.integer({ min: 0, max: specs.length }))), seedArb),
      ),
      ([shape, [specs, keep], seed]) => {
        const x = randTensor(shape, uniform(seed));
        const leading = specs.slice(0, Math.max(1, keep));
        const y = dg.sliceDims(x, leading);
        if (numel(y.shape) === 0) return; // an empty slice has nothing to check
        check((a) => dg.sliceDims(a, leading), [x]);
      },
    ),
    params(25),
  );
});

test("narrow and select (negative index): gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(dimOf(), fc.integer({ min: 0, max: 1000 }), ([shape, dim, seed], r) => {
      const x = randTensor(shape, uniform(seed));
      const size = shape[dim < 0 ? dim + shape.length : dim];
      const start = r % size;
      const len = 1 + (Math.floor(r / 7) % (size - start));
      check((a) => dg.narrow(a, dim, start, len), [x]);
      check((a) => dg.select(a, dim, -1 - (r % size)), [x]);
    }),
    params(RUNS),
  );
});

test("cat, stack, split and chunk: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(dimOf(1, 8), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), ([shape, dim, seed], extra, piece) => {
      const rand = uniform(seed);
      const d = dim < 0 ? dim + shape.length : dim;
      const other = shape.slice();
      other[d] = extra;
      const a = randTensor(shape, rand);
      const b = randTensor(other, rand);
      const c = randTensor(shape, rand, "any", false); // a constant operand gets no gradient
      check((x, y) => dg.cat([x, y, c], dim), [a, b]);
      check((x, y) => dg.stack([x, y], dim), [a, randTensor(shape, rand)]);
      check((x) => dg.split(x, piece, dim), [a]);
      check((x) => dg.chunk(x, piece, dim), [a]);
    }),
    params(RUNS),
  );
});

test("gather and scatterAdd with random (repeated) indices: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(dimOf(1, 12), ([shape, dim, seed]) => {
      const rand = uniform(seed);
      const d = dim < 0 ? dim + shape.length : dim;
      // index: same rank, each dim ≤ x's, any length along dim; values may repeat
      const ishape = shape.map((n, k) => (k === d ? 1 + Math.floor(rand() * 4) : 1 + Math.floor(rand() * n)));
      const index = int32(Array.from({ length: numel(ishape) }, () => Math.floor(rand() * shape[d])), ishape);
      const x = randTensor(shape, rand);
      check((a) => dg.gather(a, dim, index), [x]);
      const src = randTensor(ishape, rand);
      check((a, s) => dg.scatterAdd(a, dim, index, s), [x, src]);
    }),
    params(RUNS),
  );
});

// matmul -----------------------------------------------------------------------------------------

test("matmul in every form (vec·vec, vec@mat, mat@vec, mat@mat, broadcast batches): gradcheck and gradgradcheck", () => {
  const size = fc.integer({ min: 1, max: 3 });
  fc.assert(
    fc.property(
      size,
      size,
      size,
      broadcastPairArb({ maxNumel: 4 }),
      matmulFormArb,
      seedArb,
      (m, k, n, [ba, bb], form, seed) => {
        const rand = uniform(seed);
        const [sa, sb] = matmulShapes(form, m, k, n, ba, bb);
        const a = randTensor(sa, rand);
        const b = randTensor(sb, rand);
        check(dg.matmul, [a, b]);
      },
    ),
    params(30),
  );
});

test("random graphs with fan-out: gradcheck, gradgradcheck, and backward() agrees with grad()", () => {
  type Step = { op: number; a: number; b: number };
  const UN: ((x: Tensor) => Tensor)[] = [dg.sin, dg.tanh, dg.sigmoid, (x) => x.mul(0.5).exp(), dg.square, (x) => x.sum(-1, true)];
  const BIN: ((x: Tensor, y: Tensor) => Tensor)[] = [dg.add, dg.mul, dg.sub, (x, y) => dg.div(x, dg.add(dg.square(y), 1))];
  const build = (steps: Step[], xs: Tensor[]): Tensor[] => {
    const nodes = xs.slice();
    for (const s of steps) {
      const a = nodes[s.a % nodes.length];
      const b = nodes[s.b % nodes.length];
      nodes.push(s.op < UN.length ? UN[s.op](a) : BIN[s.op - UN.length](a, b));
    }
    // two outputs: the last node and the sum of all of them (every node used again: fan-out)
    return [nodes[nodes.length - 1], nodes.slice(xs.length).reduce((acc, t) => dg.add(acc, t.sum()), dg.mul(xs[0].sum(), 0))];
  };
  const stepArb = fc.record({ op: fc.integer({ min: 0, max: UN.length + BIN.length - 1 }), a: fc.nat(), b: fc.nat() });
  fc.assert(
    fc.property(shapeArb({ maxNumel: 6 }), fc.integer({ min: 1, max: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 8 }), seedArb, (shape, nIn, steps, seed) => {
      const rand = uniform(seed);
      const xs = Array.from({ length: nIn }, () => randTensor(shape, rand));
      check((...a) => build(steps, a), xs);
      // backward() into .grad and grad() give the same numbers
      const outs = build(steps, xs);
      const gos = outs.map((o) => randTensor(o.shape, rand, "any", false));
      const total = outs.reduce((acc, o, i) => dg.add(acc, dg.mul(o, gos[i]).sum()), dg.mul(xs[0].sum(), 0));
      const viaGrad = grad(total, xs, { retainGraph: true, materializeGrads: true });
      total.backward();
      xs.forEach((x, i) => {
        // an input the graph does not use keeps .grad null (PyTorch), and grad() materialises zeros
        if (x.grad === null) assert.ok(viaGrad[i]!.storage.every((v) => v === 0));
        else assert.deepEqual(Array.from(x.grad.storage), Array.from(viaGrad[i]!.storage));
      });
    }),
    params(40),
  );
});

// The families written in their own files, on random geometry: they compose table ops (im2col,
// col2im, ...), so these also check those ops' rules in context.

test("conv1d and conv2d with random stride, padding, dilation, groups and bias: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(
      fc.record({
        n: fc.integer({ min: 1, max: 2 }),
        groups: fc.integer({ min: 1, max: 2 }),
        cinPer: fc.integer({ min: 1, max: 2 }),
        coutPer: fc.integer({ min: 1, max: 2 }),
        k: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 2 }),
        padding: fc.integer({ min: 0, max: 2 }),
        dilation: fc.integer({ min: 1, max: 2 }),
        size: fc.integer({ min: 3, max: 5 }),
        bias: fc.boolean(),
        twoD: fc.boolean(),
        seed: seedArb,
      }),
      (c) => {
        const rand = uniform(c.seed);
        const cin = c.cinPer * c.groups;
        const cout = c.coutPer * c.groups;
        const span = c.dilation * (c.k - 1) + 1;
        if (c.size + 2 * c.padding < span) return;
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
        const sp = c.twoD ? [c.size, c.size - 1 >= span - 2 * c.padding ? c.size - 1 : c.size] : [c.size];
        const ks = c.twoD ? [c.k, c.k] : [c.k];
        const x = randTensor([c.n, cin, ...sp], rand);
        const w = randTensor([cout, c.cinPer, ...ks], rand);
        const b = randTensor([cout], rand);
        const conv = c.twoD ? dg.conv2d : dg.conv1d;
        const inputs = c.bias ? [x, w, b] : [x, w];
        assert.equal(gradcheck((...t) => conv(t[0], t[1], t[2] ?? null, opts), inputs), true);
        assert.equal(gradgradcheck((...t) => conv(t[0], t[1], t[2] ?? null, opts), inputs), true);
      },
    ),
    params(15),
  );
});

test("max and average pooling with random kernels, strides and padding: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(
      fc.record({ k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), h: fc.integer({ min: 3, max: 5 }), w: fc.integer({ min: 3, max: 5 }), incl: fc.boolean(), seed: seedArb }),
      (c) => {
        if (c.pad * 2 > c.k) return; // PyTorch: padding at most half the kernel
        const x = randTensor([1, 2, c.h, c.w], uniform(c.seed), "distinct");
        check((a) => dg.maxPool2d(a, c.k, { stride: c.stride, padding: c.pad }), [x]);
        check((a) => dg.avgPool2d(a, c.k, { stride: c.stride, padding: c.pad, countIncludePad: c.incl }), [x]);
      },
    ),
    params(15),
  );
});

test("layerNorm, batchNorm (training), embedding and the losses: gradcheck and gradgradcheck", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 4 }), seedArb, (n, c, seed) => {
      const rand = uniform(seed);
      const x = randTensor([n, c], rand);
      const w = randTensor([c], rand);
      const b = randTensor([c], rand);
      check((a, g, h) => dg.layerNorm(a, [c], g, h, 1e-5), [x, w, b]);
      check((a, g, h) => dg.batchNorm(a, null, null, g, h, { training: true }), [x, w, b]);
      const idx = fromBuffer(Int32Array.from({ length: 5 }, () => Math.floor(rand() * n)), [5], "int32");
      check((t) => dg.embedding(idx, t), [x]);
      const y = randTensor([n, c], rand, "any", false);
      for (const reduction of ["mean", "sum", "none"] as const) {
        check((a) => dg.mseLoss(a, y, { reduction }), [x]);
        // The fused mse_loss with both operands differentiable (mse_loss_backward's every input).
        if (reduction !== "none") check((a, t) => dg.mseLoss(a, t, { reduction }), [x, randTensor([n, c], rand)]);
        check((a) => dg.binaryCrossEntropyWithLogits(a, y.sigmoid(), { reduction }), [x]);
      }
      // F.linear with a bias: the fused linear op.
      check((a, g, h) => dg.torch.nn.functional.linear(a, g, h), [x, randTensor([3, c], rand), randTensor([3], rand)]);
      const target = fromBuffer(Int32Array.from({ length: n }, () => Math.floor(rand() * c)), [n], "int32");
      check((a) => dg.crossEntropy(a, target, { labelSmoothing: 0.1 }), [x]);
    }),
    params(15),
  );
});

test("a composite: softmax cross-entropy written with core ops", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }), seedArb, (n, c, seed) => {
      const rand = uniform(seed);
      const logits = randTensor([n, c], rand);
      const target = int32(Array.from({ length: n }, () => Math.floor(rand() * c)), [n, 1]);
      check((z) => dg.logSoftmax(z, 1).gather(1, target).neg().mean(), [logits]);
    }),
    params(RUNS),
  );
});

test("every differentiable op of the table went through gradcheck and gradgradcheck above", () => {
  const missing = Object.entries(TABLE)
    .filter(([name, rule]) => rule.differentiable !== false && !exercised.has(name))
    .map(([name]) => name);
  assert.deepEqual(missing, [], `ops without a gradcheck in this file: ${missing.join(", ")}`);
});
