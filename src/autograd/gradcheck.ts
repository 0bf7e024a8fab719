// Finite-difference checks of the gradients the engine computes (PyTorch's torch.autograd.gradcheck
// and gradgradcheck). They compare full Jacobians, so they are meant for small float64 inputs.
import { Tensor } from "../tensor/tensor.js";
import { fmtShape, stridesOf } from "../tensor/shape.js";
import { DuogradError, ValueError } from "../tensor/errors.js";
import { isFloating } from "../tensor/dtype.js";
import { grad } from "./engine.js";

/** Options of {@link gradcheck}; the defaults are PyTorch's. */
export interface GradcheckOptions {
  /** Perturbation of the central differences (1e-6). */
  eps?: number;
  /** Absolute tolerance (1e-5). */
  atol?: number;
  /** Relative tolerance, relative to the numerical value (1e-3). */
  rtol?: number;
  /** Throw a DuogradError describing the first mismatch (true, the default) or return false. */
  raiseException?: boolean;
}

/** Options of {@link gradgradcheck}. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /** The upstream gradients of the first-order VJP; random (seeded) float64 tensors when omitted. */
  gradOutputs?: readonly Tensor[];
  /** Seed of the random upstream gradients (0). */
  seed?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

const asList = (r: Tensor | readonly Tensor[]): readonly Tensor[] => (r instanceof Tensor ? [r] : r);
const isFloat = (t: Tensor): boolean => isFloating(t.dtype);

/** `[1, 2]` for flat index 6 of shape [2, 4]: the element a mismatch message names. */
function multiIndex(flat: number, shape: readonly number[]): string {
  if (shape.length === 0) return "()";
  const st = stridesOf(shape);
  return `(${st.map((s, d) => Math.floor(flat / s) % shape[d]).join(", ")})`;
}

/** A float64 leaf with the same values and requiresGrad as `x`, for perturbing without touching `x`. */
function copyOf(x: Tensor, at = -1, delta = 0): Tensor {
  const data = x.storage.slice();
  if (at >= 0) data[at] += delta;
  const c = new Tensor(data, x.shape.slice(), x.dtype);
  c.requiresGrad = x.requiresGrad;
  return c;
}

/** The differentiable (floating-point) outputs of `fn`, as flat float64 arrays. */
function evalOutputs(fn: Fn, xs: readonly Tensor[]): Float64Array[] {
  return asList(fn(...xs))
    .filter(isFloat)
    .map((o) => Float64Array.from(o.storage));
}

function fail(raise: boolean, msg: string): false {
  if (raise) throw new DuogradError(msg);
  return false;
}

/**
 * Checks the gradients of `fn` at `inputs` against central finite differences in float64: for
 * every floating-point output element, the engine's vector-Jacobian product with a unit upstream
 * gradient (one row of the Jacobian, via `grad`) must match `(f(x + eps) - f(x - eps)) / 2eps`
 * within `atol + rtol * |numerical|`. Inputs that require grad must be float64; others (indices,
 * masks) are passed through. Returns true, or throws (or returns false with
 * `raiseException: false`) naming the output, the input, the element and both values.
 * @example
 * const x = tensor([[0.5, -1.2]], { dtype: "float64", requiresGrad: true });
 * gradcheck((a) => a.tanh().sum(1), [x]); // true
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raiseException ?? true;

  const diff: number[] = [];
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) return;
    if (x.dtype !== "float64") {
      throw new ValueError(`gradcheck: input ${i} (shape ${fmtShape(x.shape)}) requires grad and is ${x.dtype}; finite differences need float64 inputs`);
    }
    diff.push(i);
  });
  if (diff.length === 0) throw new ValueError("gradcheck: expects at least one input tensor to require gradient");

  // Fresh leaves, so that fn's graph and the perturbations never touch the caller's tensors.
  const base = inputs.map((x) => copyOf(x));
  const outs = asList(fn(...base)).filter(isFloat);
  outs.forEach((o, k) => {
    if (o.dtype !== "float64") {
      throw new ValueError(`gradcheck: output ${k} (shape ${fmtShape(o.shape)}) is ${o.dtype}; finite differences need float64 outputs`);
    }
  });
  const diffInputs = diff.map((i) => base[i]);

  // analytical[k][j] = the row of d out_k[j] / d inputs, one flat array per differentiable input.
  const analytical: Float64Array[][][] = outs.map((o) => {
    const rows: Float64Array[][] = [];
    for (let j = 0; j < o.storage.length; j++) {
      if (!o.requiresGrad) {
        rows.push(diffInputs.map((x) => new Float64Array(x.storage.length)));
        continue;
      }
      const unit = new Tensor(new Float64Array(o.storage.length), o.shape.slice(), "float64");
      unit.storage[j] = 1;
      const gs = grad(o, diffInputs, { gradOutputs: [unit], retainGraph: true, allowUnused: true });
      rows.push(
        gs.map((g, n) => {
          const x = diffInputs[n];
          if (g === null) return new Float64Array(x.storage.length);
          if (g.dtype !== x.dtype) throw new ValueError(`gradcheck: the gradient of input ${diff[n]} is ${g.dtype}, expected ${x.dtype}`);
          return Float64Array.from(g.storage);
        }),
      );
    }
    return rows;
  });

  for (let n = 0; n < diff.length; n++) {
    const i = diff[n];
    const x = inputs[i];
    for (let e = 0; e < x.storage.length; e++) {
      const plusIn = base.slice();
      plusIn[i] = copyOf(x, e, eps);
      const minusIn = base.slice();
      minusIn[i] = copyOf(x, e, -eps);
      const plus = evalOutputs(fn, plusIn);
      const minus = evalOutputs(fn, minusIn);
      if (plus.length !== outs.length || plus.some((p, k) => p.length !== outs[k].storage.length || minus[k]?.length !== p.length)) {
        throw new ValueError(`gradcheck: fn's outputs changed in number or size when input ${i} element ${multiIndex(e, x.shape)} was perturbed`);
      }
      for (let k = 0; k < outs.length; k++) {
        for (let j = 0; j < outs[k].storage.length; j++) {
          const num = (plus[k][j] - minus[k][j]) / (2 * eps);
          const ana = analytical[k][j][n][e];
          if (!(Math.abs(ana - num) <= atol + rtol * Math.abs(num))) {
            return fail(
              raise,
              `gradcheck: Jacobian mismatch for output ${k} (shape ${fmtShape(outs[k].shape)}) element ${multiIndex(j, outs[k].shape)} ` +
                `with respect to input ${i} (shape ${fmtShape(x.shape)}) element ${multiIndex(e, x.shape)}: ` +
                `numerical ${num}, analytical ${ana} (atol ${atol}, rtol ${rtol}, eps ${eps})`,
            );
          }
        }
      }
    }
  }
  return true;
}

/** A small seeded generator (mulberry32) for the random upstream gradients of gradgradcheck. */
function uniformSource(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Checks second-order gradients: the first-order VJP `(inputs, v) -> grad(fn(inputs), inputs, v,
 * { createGraph: true })` is itself checked with {@link gradcheck}, so its derivatives with
 * respect to the inputs (the second-order terms) and to the upstream gradient `v` are compared
 * with finite differences of the first-order gradient. `v` is random (seeded) unless given.
 * @example
 * const x = tensor([0.3, 1.1], { dtype: "float64", requiresGrad: true });
 * gradgradcheck((a) => a.sin().mul(a), [x]); // true
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradgradcheckOptions = {}): boolean {
  const diff = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diff.length === 0) throw new ValueError("gradgradcheck: expects at least one input tensor to require gradient");

  let gradOutputs = opts.gradOutputs;
  if (gradOutputs === undefined) {
    const rand = uniformSource(opts.seed ?? 0);
    const outs = asList(fn(...inputs.map((x) => copyOf(x)))).filter(isFloat);
    gradOutputs = outs.map((o) => {
      const v = new Tensor(new Float64Array(o.storage.length), o.shape.slice(), "float64");
      for (let j = 0; j < v.storage.length; j++) v.storage[j] = 2 * rand() - 1;
      return v;
    });
  }
  const vs = gradOutputs.map((v) => {
    const c = copyOf(v);
    c.requiresGrad = true;
    return c;
  });
  const nIn = inputs.length;

  const firstOrder: Fn = (...args) => {
    const xs = args.slice(0, nIn);
    const gos = args.slice(nIn);
    const outs = asList(fn(...xs)).filter(isFloat);
    if (outs.length !== gos.length) {
      throw new ValueError(`gradgradcheck: fn returned ${outs.length} floating-point outputs, got ${gos.length} gradOutputs`);
    }
    const diffXs = diff.map((i) => xs[i]);
    // Outputs that do not depend on any input contribute nothing to the first-order gradient.
    const live = outs.map((_, k) => k).filter((k) => outs[k].requiresGrad);
    if (live.length === 0) return diffXs.map((x) => new Tensor(new Float64Array(x.storage.length), x.shape.slice(), x.dtype));
    return grad(
      live.map((k) => outs[k]),
      diffXs,
      { gradOutputs: live.map((k) => gos[k]), createGraph: true, materializeGrads: true },
    ) as Tensor[];
  };
  return gradcheck(firstOrder, [...inputs, ...vs], opts);
}
