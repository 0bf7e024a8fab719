// The neural-network ops of the core (conv, pooling, normalization, embedding/indexing, dropout):
// the PyTorch oracle's cases for these families in float32 and float64 (values, gradients,
// batch_norm's running statistics), independent loop references for configurations the oracle
// lacks, central finite differences in float64 for first- and second-order gradients, and errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import {
  Tensor, fromBuffer, tensor, grad, noGrad, zeros, ones, ShapeError, ValueError, IndexError, DTypeError,
  conv1d, conv2d, maxPool2d, maxPool1d, avgPool2d, avgPool1d, adaptiveAvgPool2d, adaptiveAvgPool1d,
  layerNorm, batchNorm, embedding, indexSelect, indexAdd, maskedFill, unfold, fold, im2col, col2im,
  dropout, dropoutWithMask, mul, sum,
} from "../src/index.js";
import { TorchGenerator } from "../src/tensor/random/torch_generator.js";
import { uniform as rng } from "./arbitraries.js"; // mulberry32: seeded, so failures reproduce

// ---------------------------------------------------------------- helpers

type Float = "float32" | "float64";

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Uniform(-1, 1) values of `shape`, float64 unless told. */
function randT(r: () => number, shape: number[], dtype: Float = "float64", requiresGrad = false): Tensor {
  const data = new Float64Array(count(shape));
  for (let i = 0; i < data.length; i++) data[i] = 2 * r() - 1;
  const t = fromBuffer(dtype === "float64" ? data : Float32Array.from(data), shape, dtype);
  t.requiresGrad = requiresGrad;
  return t;
}

function intT(values: number[], shape: number[] = [values.length]): Tensor {
  return fromBuffer(Int32Array.from(values), shape, "int32");
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const r = want[i];
    if (Object.is(a, r)) continue;
    assert.ok(Math.abs(a - r) <= atol + rtol * Math.abs(r), `${what}: element ${i} is ${a}, expected ${r}`);
  }
}

/** Sum of out * weights as a number (the scalar the finite differences differentiate). */
function dot(out: Tensor, w: Tensor): number {
  let s = 0;
  for (let i = 0; i < out.storage.length; i++) s += out.storage[i] * w.storage[i];
  return s;
}

/**
 * Checks the VJP of `f` at `inputs` (float64, requiresGrad set on those to check) against central
 * differences of L = sum(f(inputs) * R) for a random R.
 */
function gradcheck(what: string, f: (xs: Tensor[]) => Tensor, inputs: Tensor[], seed = 1, eps = 1e-6): void {
  const out = f(inputs);
  const R = randT(rng(seed + 1000), out.shape.slice());
  const checked = inputs.filter((x) => x.requiresGrad);
  const analytic = grad(out, checked, { gradOutputs: [R] });
  checked.forEach((x, k) => {
    const numeric = new Float64Array(x.numel());
    noGrad(() => {
      for (let j = 0; j < x.numel(); j++) {
        const v = x.storage[j];
        x.storage[j] = v + eps;
        const lp = dot(f(inputs), R);
        x.storage[j] = v - eps;
        const lm = dot(f(inputs), R);
        x.storage[j] = v;
        numeric[j] = (lp - lm) / (2 * eps);
      }
    });
    assert.deepEqual(analytic[k]!.shape, x.shape, `${what}: gradient shape of input ${inputs.indexOf(x)}`);
    assertClose(analytic[k]!.storage, numeric, 1e-6, 1e-5, `${what}: d/d input ${inputs.indexOf(x)}`);
  });
}

/**
 * Second order: S = Σ_i sum(g_i * V_i) with g = the first-order VJP of L = sum(f * R); compares
 * grad(S) (through createGraph) with central differences of S.
 */
function gradgradcheck(what: string, f: (xs: Tensor[]) => Tensor, inputs: Tensor[], seed = 7, eps = 1e-5): void {
  const out0 = f(inputs);
  const R = randT(rng(seed + 1), out0.shape.slice());
  const V = inputs.map((x, i) => randT(rng(seed + 10 + i), x.shape.slice()));
  const S = (create: boolean): Tensor => {
    const gs = grad(f(inputs), inputs, { gradOutputs: [R], createGraph: create });
    let s: Tensor | null = null;
    gs.forEach((g, i) => {
      const term = sum(mul(g!, V[i]));
      s = s === null ? term : s.add(term);
    });
    return s!;
  };
  const analytic = grad(S(true), inputs, { allowUnused: true, materializeGrads: true });
  inputs.forEach((x, k) => {
    const numeric = new Float64Array(x.numel());
    for (let j = 0; j < x.numel(); j++) {
      const v = x.storage[j];
      x.storage[j] = v + eps;
      const sp = S(false).item();
      x.storage[j] = v - eps;
      const sm = S(false).item();
      x.storage[j] = v;
      numeric[j] = (sp - sm) / (2 * eps);
    }
    assertClose(analytic[k]!.storage, numeric, 1e-6, 1e-5, `${what}: second order, d/d input ${k}`);
  });
}

// ---------------------------------------------------------------- the oracle

interface OTensor {
  shape: number[];
  dtype: "float64" | "int64" | "bool";
  data: (number | boolean)[];
  requires_grad?: boolean;
}
interface OCase {
  id: string;
  op: string;
  family: string;
  args: Record<string, any>;
  inputs: OTensor[];
  output: OTensor;
  grad_output: OTensor;
  grads: (OTensor | null)[];
  aux?: Record<string, OTensor>;
}

const fixture = new URL("../../test/fixtures/ops.json", import.meta.url);
const oracle = JSON.parse(fs.readFileSync(fixture, "utf8")) as { cases: OCase[] };

const TOL: Record<Float, { atol: number; rtol: number }> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-10, rtol: 1e-10 },
};

function build(t: OTensor, dtype: Float): Tensor {
  const data = t.data.map(Number);
  if (t.dtype === "int64") return intT(data, t.shape);
  return fromBuffer(dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data), t.shape, dtype);
}

/** Runs one oracle case through duograd; returns the output and the auxiliary results. */
function runCase(c: OCase, xs: Tensor[], dtype: Float): { out: Tensor; aux: Record<string, Tensor> } {
  const a = c.args;
  switch (c.op) {
    case "conv1d":
      return { out: conv1d(xs[0], xs[1], xs[2] ?? null, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }), aux: {} };
    case "conv2d":
      return { out: conv2d(xs[0], xs[1], xs[2] ?? null, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }), aux: {} };
    case "max_pool2d":
      return { out: maxPool2d(xs[0], { kernelSize: a.kernel_size, stride: a.stride, padding: a.padding }), aux: {} };
    case "avg_pool2d":
      return { out: avgPool2d(xs[0], a.kernel_size, { stride: a.stride, padding: a.padding, countIncludePad: a.count_include_pad }), aux: {} };
    case "layer_norm":
      return { out: layerNorm(xs[0], a.normalized_shape, xs[1] ?? null, xs[2] ?? null, a.eps), aux: {} };
    case "batch_norm": {
      const rm = tensor(a.running_mean_init, { dtype });
      const rv = tensor(a.running_var_init, { dtype });
      const out = batchNorm(xs[0], rm, rv, xs[1], xs[2], { training: a.training, momentum: a.momentum, eps: a.eps });
      return { out, aux: { running_mean_after: rm, running_var_after: rv } };
    }
    case "embedding":
      return { out: embedding(xs[0], xs[1]), aux: {} };
    default:
      throw new Error(`no runner for ${c.op}`);
  }
}

const FAMILIES = ["conv1d", "conv2d", "max_pool2d", "avg_pool2d", "layer_norm", "batch_norm", "embedding"];
const cases = oracle.cases.filter((c) => FAMILIES.includes(c.family));

test("the oracle holds cases of every nn family", () => {
  for (const f of FAMILIES) assert.ok(cases.some((c) => c.family === f), `no oracle case for ${f}`);
});

for (const c of cases) {
  for (const dtype of ["float32", "float64"] as const) {
    test(`oracle ${c.id} (${dtype}): value, gradients, aux`, () => {
      const { atol, rtol } = TOL[dtype];
      const xs = c.inputs.map((t) => {
        const x = build(t, dtype);
        if (t.requires_grad && t.dtype !== "int64") x.requiresGrad = true;
        return x;
      });
      const { out, aux } = runCase(c, xs, dtype);
      assert.deepEqual(out.shape, c.output.shape, `${c.id}: output shape`);
      assert.equal(out.dtype, dtype);
      assertClose(out.storage, c.output.data.map(Number), atol, rtol, `${c.id} output`);
      for (const [name, ref] of Object.entries(c.aux ?? {})) {
        assertClose(aux[name].storage, ref.data.map(Number), atol, rtol, `${c.id} aux ${name}`);
      }
      const wanted = xs.filter((x) => x.requiresGrad);
      const gs = grad(out, wanted, { gradOutputs: [build(c.grad_output, dtype)] });
      let k = 0;
      c.grads.forEach((ref, i) => {
        if (ref === null) return;
        const g = gs[k++]!;
        assert.deepEqual(g.shape, ref.shape, `${c.id}: gradient ${i} shape`);
        assertClose(g.storage, ref.data.map(Number), atol, rtol, `${c.id} gradient of input ${i}`);
      });
    });
  }
}

// ---------------------------------------------------------------- im2col / col2im

test("im2col and col2im are adjoint: <im2col(x), c> = <x, col2im(c)>, each the other's VJP", () => {
  const r = rng(3);
  const win = { kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 1, dh: 1, dw: 2, h: 5, w: 6, oh: 3, ow: 5 };
  const x = randT(r, [2, 3, 5, 6]);
  const c = randT(r, [2, 3 * 6, 15]);
  const lhs = dot(im2col(x, win), c);
  const rhs = dot(x, col2im(c, win));
  assert.ok(Math.abs(lhs - rhs) < 1e-12 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
  gradcheck("im2col", ([t]) => im2col(t, win), [randT(r, [1, 2, 5, 6], "float64", true)]);
  gradcheck("col2im", ([t]) => col2im(t, win), [randT(r, [1, 12, 15], "float64", true)]);
  gradgradcheck("im2col∘square", ([t]) => mul(im2col(t, win), im2col(t, win)), [randT(r, [1, 1, 5, 6], "float64", true)]);
});

test("unfold / fold follow F.unfold / F.fold (fold(unfold(ones)) counts the windows per pixel)", () => {
  const x = ones([1, 1, 3, 3], { dtype: "float64" });
  const cols = unfold(x, { kernelSize: 2 });
  assert.deepEqual(cols.shape, [1, 4, 4]);
  const back = fold(cols, { outputSize: [3, 3], kernelSize: 2 });
  assert.deepEqual(Array.from(back.storage), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
  assert.throws(() => fold(cols, { outputSize: [4, 4], kernelSize: 2 }), ShapeError);
});

// ---------------------------------------------------------------- conv

interface ConvCfg {
  n: number; cin: number; cout: number; h: number; w: number; kh: number; kw: number;
  stride: [number, number]; padding: [number, number] | "same" | "valid"; dilation: [number, number]; groups: number; bias: boolean;
}

/** Direct-loop cross-correlation, PyTorch's definition (asymmetric "same" padding: the extra on the right). */
function convRef(x: Tensor, w: Tensor, b: Tensor | null, c: ConvCfg): { data: Float64Array; shape: number[] } {
  const [sh, sw] = c.stride;
  const [dh, dw] = c.dilation;
  let ph: number, pw: number, phr: number, pwr: number;
  if (c.padding === "same") {
    const th = dh * (c.kh - 1), tw = dw * (c.kw - 1);
    ph = Math.floor(th / 2); pw = Math.floor(tw / 2); phr = th - ph; pwr = tw - pw;
  } else if (c.padding === "valid") ph = pw = phr = pwr = 0;
  else { [ph, pw] = c.padding; phr = ph; pwr = pw; }
  const oh = Math.floor((c.h + ph + phr - dh * (c.kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((c.w + pw + pwr - dw * (c.kw - 1) - 1) / sw) + 1;
  const cpg = c.cin / c.groups, opg = c.cout / c.groups;
  const out = new Float64Array(c.n * c.cout * oh * ow);
  let o = 0;
  for (let n = 0; n < c.n; n++)
    for (let co = 0; co < c.cout; co++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = b ? b.storage[co] : 0;
          const g = Math.floor(co / opg);
          for (let ci = 0; ci < cpg; ci++)
            for (let ki = 0; ki < c.kh; ki++)
              for (let kj = 0; kj < c.kw; kj++) {
                const y = i * sh - ph + ki * dh, xx = j * sw - pw + kj * dw;
                if (y < 0 || y >= c.h || xx < 0 || xx >= c.w) continue;
                s += x.storage[((n * c.cin + g * cpg + ci) * c.h + y) * c.w + xx] * w.storage[((co * cpg + ci) * c.kh + ki) * c.kw + kj];
              }
          out[o++] = s;
        }
  return { data: out, shape: [c.n, c.cout, oh, ow] };
}

const convCfgs: ConvCfg[] = [
  { n: 2, cin: 3, cout: 4, h: 6, w: 5, kh: 3, kw: 3, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true },
  { n: 1, cin: 4, cout: 6, h: 7, w: 6, kh: 3, kw: 2, stride: [2, 1], padding: [1, 2], dilation: [1, 1], groups: 2, bias: false },
  { n: 2, cin: 2, cout: 2, h: 7, w: 7, kh: 2, kw: 3, stride: [1, 2], padding: [2, 1], dilation: [2, 2], groups: 2, bias: true },
  { n: 3, cin: 6, cout: 3, h: 5, w: 4, kh: 3, kw: 3, stride: [3, 2], padding: [1, 1], dilation: [1, 2], groups: 3, bias: true },
  { n: 1, cin: 2, cout: 3, h: 5, w: 6, kh: 2, kw: 4, stride: [1, 1], padding: "same", dilation: [1, 1], groups: 1, bias: true },
  { n: 2, cin: 2, cout: 2, h: 6, w: 5, kh: 3, kw: 2, stride: [1, 1], padding: "same", dilation: [2, 3], groups: 1, bias: false },
  { n: 1, cin: 3, cout: 2, h: 4, w: 4, kh: 4, kw: 1, stride: [1, 1], padding: "valid", dilation: [1, 1], groups: 1, bias: true },
];

convCfgs.forEach((c, idx) => {
  test(`conv2d config ${idx} (stride ${c.stride}, padding ${c.padding}, dilation ${c.dilation}, groups ${c.groups}): values vs a direct loop, gradients vs finite differences`, () => {
    const r = rng(100 + idx);
    const x = randT(r, [c.n, c.cin, c.h, c.w], "float64", true);
    const w = randT(r, [c.cout, c.cin / c.groups, c.kh, c.kw], "float64", true);
    const b = c.bias ? randT(r, [c.cout], "float64", true) : null;
    const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
    const y = conv2d(x, w, b, opts);
    const ref = convRef(x, w, b, c);
    assert.deepEqual(y.shape, ref.shape);
    assertClose(y.storage, ref.data, 1e-12, 1e-12, "conv2d value");
    // float32 agrees with the float64 reference within float32 tolerance.
    const y32 = conv2d(tensor(x, { dtype: "float32" }), tensor(w, { dtype: "float32" }), b ? tensor(b, { dtype: "float32" }) : null, opts);
    assertClose(y32.storage, ref.data, 1e-5, 1e-4, "conv2d float32 value");
    gradcheck(`conv2d ${idx}`, (xs) => conv2d(xs[0], xs[1], xs[2] ?? null, opts), b ? [x, w, b] : [x, w], idx);
  });
});

test("conv2d second order: grad of (grad·V) matches finite differences of the first-order gradient", () => {
  const r = rng(11);
  const opts = { stride: [2, 1] as [number, number], padding: 1, dilation: [1, 2] as [number, number], groups: 2 };
  const x = randT(r, [2, 4, 5, 5], "float64", true);
  const w = randT(r, [4, 2, 2, 2], "float64", true);
  gradgradcheck("conv2d", ([a, b]) => conv2d(a, b, null, opts), [x, w]);
  // Through a nonlinearity too: d²/dx² of tanh(conv(x, w)) needs conv's backward differentiated.
  gradgradcheck("tanh∘conv2d", ([a, b]) => conv2d(a, b, null, opts).tanh(), [x, w], 9);
});

test("conv1d: values vs conv2d with H = 1, gradients, 'same' padding, unbatched input", () => {
  const r = rng(21);
  const x = randT(r, [2, 4, 9], "float64", true);
  const w = randT(r, [6, 2, 3], "float64", true);
  const b = randT(r, [6], "float64", true);
  const opts = { stride: 2, padding: 2, dilation: 2, groups: 2 };
  const y = conv1d(x, w, b, opts);
  const ref = convRef(x, w, b, { n: 2, cin: 4, cout: 6, h: 1, w: 9, kh: 1, kw: 3, stride: [1, 2], padding: [0, 2], dilation: [1, 2], groups: 2, bias: true });
  assert.deepEqual(y.shape, [2, 6, 5]);
  assertClose(y.storage, ref.data, 1e-12, 1e-12, "conv1d value");
  gradcheck("conv1d", ([a, c, d]) => conv1d(a, c, d, opts), [x, w, b]);
  const same = conv1d(x, randT(r, [3, 4, 4]), null, { padding: "same" });
  assert.deepEqual(same.shape, [2, 3, 9]);
  const un = conv1d(randT(r, [4, 9]), w, b, opts);
  assert.deepEqual(un.shape, [6, 5]);
});

test("conv2d accepts unbatched [C, H, W] input as PyTorch does", () => {
  const r = rng(22);
  const x = randT(r, [3, 5, 5]);
  const w = randT(r, [2, 3, 3, 3]);
  const y = conv2d(x, w, null, { padding: 1 });
  assert.deepEqual(y.shape, [2, 5, 5]);
  const yb = conv2d(x.unsqueeze(0), w, null, { padding: 1 });
  assertClose(y.storage, yb.storage, 0, 0, "unbatched = batched");
});

test("conv errors name the op and the shapes", () => {
  const x = zeros([2, 4, 5, 5]);
  const w = zeros([8, 3, 3, 3]);
  assert.throws(() => conv2d(x, w), {
    name: "ShapeError",
    message: /conv2d: Given groups=1, weight of size \[8, 3, 3, 3\], expected input\[2, 4, 5, 5\] to have 3 channels, but got 4 channels instead/,
  });
  assert.throws(() => conv2d(zeros([1, 3, 2, 2]), w), /Kernel size can't be greater than actual input size/);
  assert.throws(() => conv2d(zeros([1, 6, 5, 5]), zeros([3, 3, 3, 3]), null, { groups: 2 }), /expected weight to be divisible by 2/);
  assert.throws(() => conv2d(zeros([1, 3, 5, 5]), w, zeros([7])), /expected bias to be 1-dimensional with 8 elements/);
  assert.throws(() => conv2d(zeros([1, 3, 5, 5]), w, null, { stride: 2, padding: "same" }), /padding='same' is not supported for strided convolutions/);
  assert.throws(() => conv2d(zeros([1, 3, 5, 5]), w, null, { stride: 0 }), ValueError);
  assert.throws(() => conv2d(zeros([1, 3, 5, 5]), w, null, { padding: -1 }), /negative padding/);
  assert.throws(() => conv2d(zeros([5, 5]), w), /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d/i);
  assert.throws(() => conv2d(zeros([1, 3, 5, 5], { dtype: "float64" }), w), DTypeError);
  assert.throws(() => conv1d(zeros([2, 4, 5]), zeros([8, 3, 3])), /conv1d: Given groups=1, weight of size \[8, 3, 3\], expected input\[2, 4, 5\] to have 3 channels, but got 4/);
});

// ---------------------------------------------------------------- pooling

/** PyTorch's pooling output size. */
function poolOut(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= size + p) o--;
  return o;
}

interface PoolCfg { n: number; c: number; h: number; w: number; k: [number, number]; s: [number, number]; p: [number, number]; d: [number, number]; ceil: boolean }

/** Direct-loop max pooling: the first maximum in row-major window order, its flat index into H*W. */
function maxPoolRef(x: Tensor, c: PoolCfg): { data: Float64Array; idx: Int32Array; shape: number[] } {
  const oh = poolOut(c.h, c.k[0], c.s[0], c.p[0], c.d[0], c.ceil);
  const ow = poolOut(c.w, c.k[1], c.s[1], c.p[1], c.d[1], c.ceil);
  const data = new Float64Array(c.n * c.c * oh * ow);
  const idx = new Int32Array(data.length);
  let o = 0;
  for (let p = 0; p < c.n * c.c; p++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, o++) {
        let best = -Infinity, at = -1;
        for (let ki = 0; ki < c.k[0]; ki++)
          for (let kj = 0; kj < c.k[1]; kj++) {
            const y = i * c.s[0] - c.p[0] + ki * c.d[0], xx = j * c.s[1] - c.p[1] + kj * c.d[1];
            if (y < 0 || y >= c.h || xx < 0 || xx >= c.w) continue;
            const v = x.storage[p * c.h * c.w + y * c.w + xx];
            if (v > best || at < 0) { best = v; at = y * c.w + xx; }
          }
        data[o] = best;
        idx[o] = at;
      }
  return { data, idx, shape: [c.n, c.c, oh, ow] };
}

/** Direct-loop average pooling with PyTorch's divisor rules. */
function avgPoolRef(x: Tensor, c: PoolCfg, includePad: boolean, divisor: number | null): { data: Float64Array; shape: number[] } {
  const oh = poolOut(c.h, c.k[0], c.s[0], c.p[0], 1, c.ceil);
  const ow = poolOut(c.w, c.k[1], c.s[1], c.p[1], 1, c.ceil);
  const data = new Float64Array(c.n * c.c * oh * ow);
  let o = 0;
  for (let p = 0; p < c.n * c.c; p++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, o++) {
        let hs = i * c.s[0] - c.p[0], ws = j * c.s[1] - c.p[1];
        let he = Math.min(hs + c.k[0], c.h + c.p[0]), we = Math.min(ws + c.k[1], c.w + c.p[1]);
        const poolSize = (he - hs) * (we - ws);
        hs = Math.max(hs, 0); ws = Math.max(ws, 0); he = Math.min(he, c.h); we = Math.min(we, c.w);
        let s = 0;
        for (let y = hs; y < he; y++) for (let xx = ws; xx < we; xx++) s += x.storage[p * c.h * c.w + y * c.w + xx];
        data[o] = s / (divisor ?? (includePad ? poolSize : (he - hs) * (we - ws)));
      }
  return { data, shape: [c.n, c.c, oh, ow] };
}

const poolCfgs: PoolCfg[] = [
  { n: 2, c: 3, h: 6, w: 5, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
  { n: 1, c: 2, h: 7, w: 6, k: [3, 2], s: [2, 1], p: [1, 1], d: [1, 1], ceil: true },
  { n: 2, c: 1, h: 5, w: 5, k: [3, 3], s: [2, 2], p: [1, 0], d: [1, 1], ceil: true },
  { n: 1, c: 2, h: 8, w: 7, k: [2, 3], s: [3, 2], p: [1, 1], d: [2, 2], ceil: false },
  { n: 1, c: 3, h: 6, w: 6, k: [3, 3], s: [2, 2], p: [1, 1], d: [2, 1], ceil: true },
  { n: 1, c: 1, h: 5, w: 4, k: [4, 3], s: [3, 3], p: [2, 1], d: [1, 1], ceil: true },
];

poolCfgs.forEach((c, idx) => {
  test(`maxPool2d config ${idx} (k ${c.k}, s ${c.s}, p ${c.p}, d ${c.d}, ceil ${c.ceil}): values, indices vs a direct loop; gradients`, () => {
    const r = rng(200 + idx);
    const x = randT(r, [c.n, c.c, c.h, c.w], "float64", true);
    const opts = { kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil };
    const [y, ind] = maxPool2d(x, { ...opts, returnIndices: true });
    const ref = maxPoolRef(x, c);
    assert.deepEqual(y.shape, ref.shape);
    assertClose(y.storage, ref.data, 0, 0, "max_pool2d value");
    assert.equal(ind.dtype, "int32");
    assert.deepEqual(Array.from(ind.storage), Array.from(ref.idx), "max_pool2d indices");
    gradcheck(`max_pool2d ${idx}`, ([t]) => maxPool2d(t, opts), [x], idx);
  });
  test(`avgPool2d config ${idx} (k ${c.k}, s ${c.s}, p ${c.p}, ceil ${c.ceil}): every divisor rule vs a direct loop; gradients`, () => {
    const r = rng(300 + idx);
    const x = randT(r, [c.n, c.c, c.h, c.w], "float64", true);
    for (const [includePad, divisor] of [[true, null], [false, null], [true, 5]] as const) {
      const opts = { stride: c.s, padding: c.p, ceilMode: c.ceil, countIncludePad: includePad, divisorOverride: divisor };
      const y = avgPool2d(x, c.k, opts);
      const ref = avgPoolRef(x, c, includePad, divisor);
      assert.deepEqual(y.shape, ref.shape);
      assertClose(y.storage, ref.data, 1e-14, 1e-13, `avg_pool2d value (countIncludePad ${includePad}, divisor ${divisor})`);
      gradcheck(`avg_pool2d ${idx}`, ([t]) => avgPool2d(t, c.k, opts), [x], idx);
    }
  });
});

test("maxPool2d routes the gradient of tied windows to the first maximum, as PyTorch's kernel", () => {
  const x = ones([1, 1, 3, 3], { dtype: "float64", requiresGrad: true });
  const y = maxPool2d(x, 2, { stride: 1 });
  y.sum().backward();
  assert.deepEqual(Array.from(x.grad!.storage), [1, 1, 0, 1, 1, 0, 0, 0, 0]);
});

test("maxPool2d second order and unbatched / 1-d variants", () => {
  const r = rng(31);
  const x = randT(r, [1, 2, 5, 5], "float64", true);
  gradgradcheck("square∘max_pool2d", ([t]) => maxPool2d(t, 3, { stride: 2, padding: 1 }).square(), [x]);
  const un = maxPool2d(randT(r, [2, 5, 5]), 2);
  assert.deepEqual(un.shape, [2, 2, 2]);
  const x1 = randT(r, [2, 3, 9], "float64", true);
  const [y1, i1] = maxPool1d(x1, 3, { stride: 2, padding: 1, returnIndices: true });
  const ref = maxPoolRef(x1, { n: 2, c: 3, h: 1, w: 9, k: [1, 3], s: [1, 2], p: [0, 1], d: [1, 1], ceil: false });
  assert.deepEqual(y1.shape, [2, 3, 5]);
  assertClose(y1.storage, ref.data, 0, 0, "max_pool1d");
  assert.deepEqual(Array.from(i1.storage), Array.from(ref.idx));
  const a1 = avgPool1d(x1, { kernelSize: 4, stride: 3, ceilMode: true });
  const aref = avgPoolRef(x1, { n: 2, c: 3, h: 1, w: 9, k: [1, 4], s: [1, 3], p: [0, 0], d: [1, 1], ceil: true }, true, null);
  assertClose(a1.storage, aref.data, 1e-14, 1e-13, "avg_pool1d");
  gradcheck("max_pool1d", ([t]) => maxPool1d(t, 2), [x1]);
});

test("an empty batch goes through conv and pooling", () => {
  assert.deepEqual(conv2d(zeros([0, 3, 5, 5]), zeros([2, 3, 3, 3])).shape, [0, 2, 3, 3]);
  assert.deepEqual(maxPool2d(zeros([0, 3, 4, 4]), 2).shape, [0, 3, 2, 2]);
  assert.deepEqual(avgPool2d(zeros([0, 3, 4, 4]), 2).shape, [0, 3, 2, 2]);
});

test("pooling errors: padding over half the kernel, too small an output", () => {
  assert.throws(() => maxPool2d(zeros([1, 1, 4, 4]), 3, { padding: 2 }), /pad should be smaller than or equal to half of kernel size/);
  assert.throws(() => avgPool2d(zeros([1, 1, 4, 4]), 2, { padding: 2 }), /pad should be smaller than or equal to half of kernel size/);
  assert.throws(() => maxPool2d(zeros([1, 1, 2, 2]), 3), /Output size is too small/);
  assert.throws(() => maxPool2d(zeros([4, 4]), 2), ShapeError);
  assert.throws(() => avgPool2d(zeros([1, 1, 4, 4]), 2, { divisorOverride: 0 }), ValueError);
});

/** Direct-loop adaptive average pooling (PyTorch's windows). */
function adaptiveRef(x: Tensor, n: number, h: number, w: number, oh: number, ow: number): Float64Array {
  const out = new Float64Array(n * oh * ow);
  let o = 0;
  for (let p = 0; p < n; p++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const hs = Math.floor((i * h) / oh), he = Math.ceil(((i + 1) * h) / oh);
        const ws = Math.floor((j * w) / ow), we = Math.ceil(((j + 1) * w) / ow);
        let s = 0;
        for (let y = hs; y < he; y++) for (let xx = ws; xx < we; xx++) s += x.storage[p * h * w + y * w + xx];
        out[o++] = s / ((he - hs) * (we - ws));
      }
  return out;
}

test("adaptiveAvgPool2d: PyTorch's overlapping windows, null sizes, global pooling; gradients", () => {
  const r = rng(41);
  for (const [h, w, oh, ow] of [[7, 5, 3, 2], [5, 5, 1, 1], [4, 6, 4, 4], [3, 8, 5, 3]]) {
    const x = randT(r, [2, 3, h, w], "float64", true);
    const y = adaptiveAvgPool2d(x, [oh, ow]);
    assert.deepEqual(y.shape, [2, 3, oh, ow]);
    assertClose(y.storage, adaptiveRef(x, 6, h, w, oh, ow), 1e-14, 1e-13, `adaptive ${h}x${w} -> ${oh}x${ow}`);
    gradcheck(`adaptive_avg_pool2d ${h}x${w}->${oh}x${ow}`, ([t]) => adaptiveAvgPool2d(t, [oh, ow]), [x]);
  }
  const x = randT(r, [3, 6, 4]);
  assert.deepEqual(adaptiveAvgPool2d(x, [null, 2]).shape, [3, 6, 2]);
  assert.deepEqual(adaptiveAvgPool2d(x, 1).shape, [3, 1, 1]);
  const x1 = randT(r, [2, 2, 7]);
  assertClose(adaptiveAvgPool1d(x1, 3).storage, adaptiveRef(x1, 4, 1, 7, 1, 3), 1e-14, 1e-13, "adaptive 1d");
  assert.throws(() => adaptiveAvgPool2d(x, 0), ValueError);
});

// ---------------------------------------------------------------- normalization

test("layerNorm: over several trailing dims, with and without affine; first and second order", () => {
  const r = rng(51);
  const x = randT(r, [2, 3, 4], "float64", true);
  const w = randT(r, [3, 4], "float64", true);
  const b = randT(r, [3, 4], "float64", true);
  const y = layerNorm(x, [3, 4], w, b);
  // Reference: per sample, mean and biased variance over its 12 values.
  const ref = new Float64Array(24);
  for (let n = 0; n < 2; n++) {
    let m = 0, v = 0;
    for (let i = 0; i < 12; i++) m += x.storage[n * 12 + i] / 12;
    for (let i = 0; i < 12; i++) v += (x.storage[n * 12 + i] - m) ** 2 / 12;
    for (let i = 0; i < 12; i++) ref[n * 12 + i] = ((x.storage[n * 12 + i] - m) / Math.sqrt(v + 1e-5)) * w.storage[i] + b.storage[i];
  }
  assertClose(y.storage, ref, 1e-12, 1e-12, "layer_norm value");
  gradcheck("layer_norm", ([a, c, d]) => layerNorm(a, [3, 4], c, d), [x, w, b]);
  gradcheck("layer_norm no affine", ([a]) => layerNorm(a, 4, null, null, 1e-3), [x]);
  gradgradcheck("layer_norm", ([a, c]) => layerNorm(a, 4, c.reshape(3, 4).select(0, 0)), [x, w]);
  assert.throws(() => layerNorm(x, [5]), /layer_norm: Given normalized_shape=\[5\], expected input with shape \[\*, 5\], but got input of size\[2, 3, 4\]/);
  assert.throws(() => layerNorm(x, [4], zeros([3])), /Expected weight to be of same shape as normalized_shape/);
});

/** Per-channel batch statistics of x [N, C, ...]: mean and biased variance. */
function channelStats(x: Tensor): { mean: number[]; var: number[]; n: number } {
  const [N, C] = x.shape;
  const inner = count(x.shape.slice(2));
  const mean: number[] = [], vr: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < inner; i++) s += x.storage[(n * C + c) * inner + i];
    const m = s / (N * inner);
    let v = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < inner; i++) v += (x.storage[(n * C + c) * inner + i] - m) ** 2;
    mean.push(m);
    vr.push(v / (N * inner));
  }
  return { mean, var: vr, n: N * inner };
}

test("batchNorm training: batch statistics, running stats updated in place (unbiased var), gradients", () => {
  const r = rng(61);
  const x = randT(r, [3, 2, 4, 2], "float64", true);
  const w = randT(r, [2], "float64", true);
  const b = randT(r, [2], "float64", true);
  const rm = tensor([0.5, -1], { dtype: "float64" });
  const rv = tensor([2, 0.5], { dtype: "float64" });
  const v0 = rm.version;
  const y = batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.3, eps: 1e-3 });
  const st = channelStats(x);
  assertClose(rm.storage, [0.7 * 0.5 + 0.3 * st.mean[0], 0.7 * -1 + 0.3 * st.mean[1]], 1e-14, 1e-14, "running_mean");
  const unb = st.var.map((v) => (v * st.n) / (st.n - 1));
  assertClose(rv.storage, [0.7 * 2 + 0.3 * unb[0], 0.7 * 0.5 + 0.3 * unb[1]], 1e-14, 1e-14, "running_var");
  assert.ok(rm.version > v0, "an in-place update bumps the version");
  assert.equal(rm.requiresGrad, false);
  const inner = 8;
  const ref = new Float64Array(48);
  for (let i = 0; i < 48; i++) {
    const c = Math.floor(i / inner) % 2;
    ref[i] = ((x.storage[i] - st.mean[c]) / Math.sqrt(st.var[c] + 1e-3)) * w.storage[c] + b.storage[c];
  }
  assertClose(y.storage, ref, 1e-12, 1e-12, "batch_norm value");
  // Finite differences without running stats (a perturbed call must not move them).
  gradcheck("batch_norm training", ([a, c, d]) => batchNorm(a, null, null, c, d, { training: true }), [x, w, b]);
  gradgradcheck("batch_norm training", ([a, c]) => batchNorm(a, null, null, c, null, { training: true }), [x, w]);
  gradcheck("batch_norm 2-d", ([a]) => batchNorm(a, null, null, { training: true }), [randT(r, [5, 3], "float64", true)]);
});

test("batchNorm eval uses the running statistics; null stats mean batch statistics", () => {
  const r = rng(62);
  const x = randT(r, [4, 3], "float64", true);
  const rm = tensor([0.1, 0.2, -0.3], { dtype: "float64" });
  const rv = tensor([1.5, 0.7, 2], { dtype: "float64" });
  const y = batchNorm(x, rm, rv, null, null, { training: false });
  const ref = Array.from(x.storage, (v, i) => (v - rm.storage[i % 3]) / Math.sqrt(rv.storage[i % 3] + 1e-5));
  assertClose(y.storage, ref, 1e-14, 1e-14, "eval value");
  assert.deepEqual(Array.from(rm.storage), [0.1, 0.2, -0.3], "eval leaves the running stats alone");
  gradcheck("batch_norm eval", ([a]) => batchNorm(a, rm, rv), [x]);
  const yb = batchNorm(x, null, null);
  const st = channelStats(x);
  assertClose(yb.storage, Array.from(x.storage, (v, i) => (v - st.mean[i % 3]) / Math.sqrt(st.var[i % 3] + 1e-5)), 1e-12, 1e-12, "no running stats");
});

test("batchNorm errors leave the running stats unchanged", () => {
  const rm = zeros([3]);
  const rv = ones([3]);
  assert.throws(() => batchNorm(zeros([1, 3]), rm, rv, null, null, { training: true }), /Expected more than 1 value per channel when training, got input size \[1, 3\]/);
  assert.throws(() => batchNorm(zeros([4, 3]), rm, rv, zeros([4]), null, { training: true }), /weight should contain 3 elements not 4/);
  assert.throws(() => batchNorm(zeros([4, 2]), rm, rv, null, null, { training: true }), /running_mean should contain 2 elements not 3/);
  assert.deepEqual(Array.from(rm.storage), [0, 0, 0]);
  assert.deepEqual(Array.from(rv.storage), [1, 1, 1]);
});

// ---------------------------------------------------------------- embedding and indexing

test("embedding: any index shape, repeated indices accumulate, paddingIdx gets no gradient", () => {
  const r = rng(71);
  const w = randT(r, [5, 3], "float64", true);
  const idx = intT([4, 0, 4, 2, 4, 1], [2, 3]);
  const y = embedding(idx, w);
  assert.deepEqual(y.shape, [2, 3, 3]);
  assert.deepEqual(Array.from(y.storage.slice(0, 3)), Array.from(w.storage.slice(12, 15)));
  y.sum().backward();
  assert.deepEqual(Array.from(w.grad!.storage), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 3, 3, 3]);
  const w2 = randT(r, [5, 3], "float64", true);
  const yp = embedding(idx, w2, { paddingIdx: -1 });
  assert.deepEqual(Array.from(yp.storage.slice(0, 3)), Array.from(w2.storage.slice(12, 15)), "the padding row is still looked up");
  yp.sum().backward();
  assert.deepEqual(Array.from(w2.grad!.storage), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  // Index 3 is not looked up, so finite differences see no dependence on the padding row either.
  gradcheck("embedding", ([t]) => embedding(idx, t, { paddingIdx: 3 }), [randT(r, [5, 3], "float64", true)]);
  assert.throws(() => embedding(intT([5]), w), IndexError);
  assert.throws(() => embedding(tensor([1]), w), DTypeError);
  assert.throws(() => embedding(idx, w, { paddingIdx: 5 }), /padding_idx must be within num_embeddings/);
});

test("indexSelect / indexAdd: values, accumulation, gradients of both orders", () => {
  const r = rng(81);
  const x = randT(r, [3, 4, 2], "float64", true);
  const idx = intT([3, 0, 3]);
  const y = indexSelect(x, 1, idx);
  assert.deepEqual(y.shape, [3, 3, 2]);
  assert.equal(y.storage[0], x.storage[6]);
  assert.equal(x.indexSelect(-2, idx).storage[2], x.storage[0]);
  gradcheck("index_select", ([t]) => indexSelect(t, 1, idx), [x]);
  gradgradcheck("square∘index_select", ([t]) => indexSelect(t, 1, idx).square(), [x]);
  const base = randT(r, [3, 4, 2], "float64", true);
  const src = randT(r, [3, 3, 2], "float64", true);
  const z = indexAdd(base, 1, idx, src, 2);
  const ref = Float64Array.from(base.storage);
  for (let a = 0; a < 3; a++) for (let k = 0; k < 3; k++) for (let c = 0; c < 2; c++) ref[a * 8 + idx.storage[k] * 2 + c] += 2 * src.storage[a * 6 + k * 2 + c];
  assertClose(z.storage, ref, 1e-15, 0, "index_add value");
  gradcheck("index_add", ([a, b]) => indexAdd(a, 1, idx, b, 2), [base, src]);
  assert.throws(() => indexSelect(x, 1, intT([4])), IndexError);
  assert.throws(() => indexSelect(x, 1, intT([0, 1], [1, 2])), /index is supposed to be a vector/);
  assert.throws(() => indexAdd(base, 1, idx, randT(r, [3, 2, 2])), ShapeError);
});

test("maskedFill: bool masks, broadcast, x's dtype, gradient to x only where not filled", () => {
  const x = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
  const m = tensor([true, false]);
  const y = maskedFill(x, m, -5);
  assert.deepEqual(y.tolist(), [[-5, 2], [-5, 4]]);
  y.sum().backward();
  assert.deepEqual(Array.from(x.grad!.storage), [0, 1, 0, 1]);
  const xi = tensor([1, 2], { dtype: "int32" });
  assert.equal(maskedFill(xi, tensor([true, false]), 2.5).dtype, "int32");
  assert.throws(() => maskedFill(x, tensor([1, 0], { dtype: "int32" }), 0), /only supports boolean masks/);
});

// ---------------------------------------------------------------- dropout

test("dropout: identity in eval or with p = 0, zeros with p = 1, scaled mask in training, seeded", () => {
  const r = rng(91);
  const x = randT(r, [200, 50], "float64", true);
  assert.equal(dropout(x, 0.3, false), x);
  assert.equal(dropout(x, 0, true), x);
  const z = dropout(x, 1, true);
  assert.ok(Array.from(z.storage).every((v) => v === 0));
  const y = dropout(x, 0.25, true, new TorchGenerator(5));
  let kept = 0;
  for (let i = 0; i < x.numel(); i++) {
    if (y.storage[i] !== 0) {
      kept++;
      assert.ok(Math.abs(y.storage[i] - x.storage[i] / 0.75) < 1e-15);
    }
  }
  const frac = kept / x.numel();
  assert.ok(Math.abs(frac - 0.75) < 0.02, `kept fraction ${frac}`);
  const again = dropout(x, 0.25, true, new TorchGenerator(5));
  assert.deepEqual(Array.from(again.storage), Array.from(y.storage), "same seed, same mask");
  const [g] = grad(y, [x], { gradOutputs: [ones([200, 50], { dtype: "float64" })] });
  for (let i = 0; i < x.numel(); i++) assert.equal(g!.storage[i], y.storage[i] === 0 ? 0 : 1 / 0.75);
  const m = tensor([1, 0, 1], { dtype: "float64" });
  assert.deepEqual(dropoutWithMask(tensor([2, 2, 2], { dtype: "float64" }), m, 0.5).tolist(), [4, 0, 4]);
  assert.throws(() => dropout(x, 1.5), /dropout probability has to be between 0 and 1, but got 1.5/);
  assert.throws(() => dropout(x, -0.1), ValueError);
  assert.equal(dropout(x.float(), 0.5, true).dtype, "float32");
});
