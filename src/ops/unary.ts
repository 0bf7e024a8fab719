import { Tensor } from "../tensor/tensor.js";
import { newBuffer } from "../tensor/storage.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { Node } from "../autograd/node.js";
import type { DType } from "../tensor/dtype.js";
import type { UnaryKernel } from "../backend/backend.js";
import { backend } from "../backend/registry.js";
import { DTypeError } from "../tensor/errors.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { apply, applyRule } from "./apply.js";
import type { OpAttrs, OpRule, RuleSet } from "./rule.js";
import { NO_ATTRS, castTo, empty, floatType } from "./util.js";
import { add, div, gt, le, mul, rsub, where } from "./binary.js";

declare module "./rule.js" {
  interface OpAttrs {
    neg: {}; exp: {}; log: {}; sqrt: {}; rsqrt: {}; square: {}; abs: {}; sign: {}; sin: {}; cos: {};
    tan: {}; tanh: {}; sigmoid: {}; relu: {}; log1p: {}; expm1: {}; erf: {}; reciprocal: {};
    floor: {}; ceil: {}; round: {}; trunc: {}; logical_not: {}; isnan: {}; isinf: {}; isfinite: {};
    silu: {};
    leaky_relu: { negativeSlope: number };
    elu: { alpha: number };
    softplus: { beta: number; threshold: number };
    gelu: { approximate: "none" | "tanh" };
    pow_scalar: { exponent: number };
    rpow_scalar: { base: number };
    clone: {};
    cast: { dtype: DType };
    square_backward: {};
    relu_backward: {};
  }
}

/** Result dtype: "float" promotes ints to float32; "same" keeps it; "bool" writes bool. */
type Kind = "float" | "same" | "bool";

type Vjp<A> = (g: Tensor, x: Tensor, y: Tensor, a: A) => Tensor | null;

/** The kernel and result kind of each rule made by `rule`, for the wrappers' fast path. */
const kernelOf = new Map<OpRule<any>, { kernel: (a: any) => [UnaryKernel, number, number]; kind: Kind }>();

function rule<A>(kernel: (a: A) => [UnaryKernel, number, number], kind: Kind, vjp: Vjp<A> | null, saves: readonly (0 | "out")[] = [0]): OpRule<A> {
  const r: OpRule<A> = {
    forward(inputs, a) {
      const x = inputs[0];
      const ka = kernel(a);
      const k = ka[0];
      const p0 = ka[1];
      const p1 = ka[2];
      if (kind === "same" && x.dtype === "bool" && k !== "copy") {
        throw new DTypeError(`${k}: not supported for bool tensors (shape ${fmtShape(x.shape)})`);
      }
      const ct = kind === "float" ? floatType(x) : x.dtype;
      const xc = castTo(x, ct);
      const out = empty(x.shape, kind === "bool" ? "bool" : ct);
      backend().unary(k, xc.storage, out.storage, p0, p1);
      return out;
    },
    vjp: vjp ? (g, inputs, y, a) => [vjp(g, inputs[0], y, a)] : (g) => [zerosGrad(g)],
    saves: vjp ? saves : [],
    differentiable: kind !== "bool",
  };
  kernelOf.set(r, { kernel, kind });
  return r;
}

// One shared [kernel, p0, p1] per parameterless op, not a new array per call.
const k = (name: UnaryKernel): (() => [UnaryKernel, number, number]) => {
  const call: [UnaryKernel, number, number] = [name, 0, 0];
  return () => call;
};
const zerosGrad = (g: Tensor): Tensor => mul(g, 0);
const SQRT_2_OVER_PI = 0.7978845608028654;
const INV_SQRT_2PI = 0.3989422804014327;
const cloneRule = rule(k("copy"), "same", (g) => g, []);

export const unaryRules: RuleSet<
  | "neg" | "exp" | "log" | "sqrt" | "rsqrt" | "square" | "abs" | "sign" | "sin" | "cos" | "tan" | "tanh"
  | "sigmoid" | "relu" | "log1p" | "expm1" | "erf" | "reciprocal" | "floor" | "ceil" | "round" | "trunc"
  | "logical_not" | "isnan" | "isinf" | "isfinite" | "silu" | "leaky_relu" | "elu" | "softplus" | "gelu"
  | "pow_scalar" | "rpow_scalar" | "clone" | "cast" | "square_backward" | "relu_backward"
> = {
  clone: cloneRule,
  cast: {
    // Casting to its own dtype (only reached through apply: `cast` returns x itself) still copies.
    forward: ([x], a) => {
      const out = castTo(x, a.dtype);
      return out === x ? cloneRule.forward([x], NO_ATTRS) : out;
    },
    vjp: (g, [x]) => [g.dtype === x.dtype ? g : apply("cast", [g], { dtype: x.dtype })],
  },
  neg: rule(k("neg"), "same", (g) => neg(g), []),
  exp: rule(k("exp"), "float", (g, _x, y) => mul(g, y), ["out"]),
  log: rule(k("log"), "float", (g, x) => div(g, x)),
  sqrt: rule(k("sqrt"), "float", (g, _x, y) => div(g, mul(y, 2)), ["out"]),
  rsqrt: rule(k("rsqrt"), "float", (g, _x, y) => mul(mul(g, powScalar(y, 3)), -0.5), ["out"]),
  square: rule(k("square"), "same", (g, x) => squareBackward(g, x)),
  // relu's gradient from its result y in one pass (not a mask, then a select): inputs [g, y] of
  // one shape and float dtype. The mask carries no gradient, so neither does y.
  relu_backward: {
    forward([g, y]) {
      const out = empty(y.shape, y.dtype);
      backend().binary("relu_backward", g.storage, g.shape, y.storage, y.shape, out.storage, y.shape);
      return out;
    },
    vjp: (gg, [_g, y], _o, _a, needs) => [needs[0] ? reluBackward(gg, y) : null, null],
    saves: [1],
  },
  // square's gradient g·(2x) in one pass instead of two (x·2, then ·g): inputs [g, x] of one
  // shape and float dtype (squareBackward composes the ops otherwise). Its VJP is the composition's.
  square_backward: {
    forward([g, x]) {
      const out = empty(x.shape, x.dtype);
      backend().binary("square_backward", g.storage, g.shape, x.storage, x.shape, out.storage, x.shape);
      return out;
    },
    vjp: (gg, [g, x], _o, _a, needs) => [needs[0] ? squareBackward(gg, x) : null, needs[1] ? mul(mul(gg, g), 2) : null],
    saves: [0, 1],
  },
  abs: rule(k("abs"), "same", (g, x) => mul(g, sign(x))),
  sign: rule(k("sign"), "same", null),
  sin: rule(k("sin"), "float", (g, x) => mul(g, cos(x))),
  cos: rule(k("cos"), "float", (g, x) => neg(mul(g, sin(x)))),
  tan: rule(k("tan"), "float", (g, _x, y) => mul(g, add(square(y), 1)), ["out"]),
  tanh: rule(k("tanh"), "float", (g, _x, y) => mul(g, rsub(square(y), 1)), ["out"]),
  sigmoid: rule(k("sigmoid"), "float", (g, _x, y) => mul(g, mul(y, rsub(y, 1))), ["out"]),
  // PyTorch's threshold_backward(grad, result, 0): 0 where the result is ≤ 0, else the gradient
  // (so a NaN result passes it, and an infinite or NaN gradient at a negative input gives 0).
  relu: rule(k("relu"), "same", (g, _x, y) => reluBackward(g, y), ["out"]),
  log1p: rule(k("log1p"), "float", (g, x) => div(g, add(x, 1))),
  expm1: rule(k("expm1"), "float", (g, _x, y) => mul(g, add(y, 1)), ["out"]),
  erf: rule(k("erf"), "float", (g, x) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI)))),
  reciprocal: rule(k("reciprocal"), "float", (g, _x, y) => neg(mul(g, square(y))), ["out"]),
  floor: rule(k("floor"), "same", null),
  ceil: rule(k("ceil"), "same", null),
  round: rule(k("round"), "same", null),
  trunc: rule(k("trunc"), "same", null),
  logical_not: rule(k("logical_not"), "bool", null),
  isnan: rule(k("isnan"), "bool", null),
  isinf: rule(k("isinf"), "bool", null),
  isfinite: rule(k("isfinite"), "bool", null),
  silu: rule(k("silu"), "float", (g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, rsub(s, 1)), 1)));
  }),
  leaky_relu: rule((a) => ["leaky_relu", a.negativeSlope, 0], "float", (g, x, _y, a) => where(gt(x, 0), g, mul(g, a.negativeSlope))),
  elu: rule((a) => ["elu", a.alpha, 0], "float", (g, x, y, a) => where(gt(x, 0), g, mul(g, add(y, a.alpha))), [0, "out"]),
  softplus: rule(
    (a) => ["softplus", a.beta, a.threshold],
    "float",
    (g, x, _y, a) => {
      const bx = mul(x, a.beta);
      return where(gt(bx, a.threshold), g, mul(g, sigmoid(bx)));
    },
  ),
  gelu: rule(
    (a) => [a.approximate === "tanh" ? "gelu_tanh" : "gelu", 0, 0],
    "float",
    (g, x, _y, a) => {
      if (a.approximate === "tanh") {
        const x2 = square(x);
        const t = tanh(mul(mul(x, add(mul(x2, 0.044715), 1)), SQRT_2_OVER_PI));
        const dinner = mul(add(mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
        const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), rsub(square(t), 1)), dinner));
        return mul(g, d);
      }
      const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI);
      return mul(g, add(cdf, mul(x, pdf)));
    },
  ),
  pow_scalar: rule(
    (a) => ["pow_scalar", a.exponent, 0],
    "same",
    (g, x, _y, a) => (a.exponent === 0 ? zerosGrad(g) : mul(g, mul(powScalar(x, a.exponent - 1), a.exponent))),
  ),
  rpow_scalar: rule((a) => ["rpow_scalar", a.base, 0], "float", (g, _x, y, a) => mul(g, mul(y, Math.log(a.base))), ["out"]),
};

// Each wrapper resolves its rule once (the table's entry: table.ts spreads unaryRules in) instead
// of looking it up per call.
type Plain = { [K in keyof typeof unaryRules]: OpAttrs[K] extends Record<string, never> ? K : never }[keyof typeof unaryRules];
function un(name: Plain): (x: Tensor) => Tensor {
  const r = unaryRules[name] as OpRule<{}>;
  const info = kernelOf.get(r);
  if (info === undefined) return (x) => applyRule(name, r, [x], NO_ATTRS);
  // Fast path for a float input, as in binary.ts's wrappers: what applyRule and the rule's
  // forward do (dtype kept, or bool for a test), without the layers between.
  const [kernel, p0, p1] = info.kernel(NO_ATTRS);
  const outType = info.kind === "bool" ? "bool" : null;
  const differentiable = r.differentiable !== false;
  return (x) => {
    const dt = x.dtype;
    if (dt !== "float32" && dt !== "float64") return applyRule(name, r, [x], NO_ATTRS);
    const od = outType ?? dt;
    const out = new Tensor(newBuffer(od, x.storage.length), x.shape, od);
    backend().unary(kernel, x.storage, out.storage, p0, p1);
    if (differentiable && x.requiresGrad && isGradEnabled()) {
      out.requiresGrad = true;
      out.gradFn = new Node(name, r, [x], NO_ATTRS, out);
    }
    return out;
  };
}

/** Whether a fused gradient op takes (g, x): one shape and one float dtype. */
function fusable(g: Tensor, x: Tensor): boolean {
  const dt = x.dtype;
  return g.dtype === dt && (dt === "float32" || dt === "float64") && (g.shape === x.shape || shapesEqual(g.shape, x.shape));
}

/** Runs fused gradient op `name` on fusable (g, x): its kernel directly when nothing records. */
function fusedGrad(name: "square_backward" | "relu_backward", g: Tensor, x: Tensor): Tensor {
  if ((g.requiresGrad || x.requiresGrad) && isGradEnabled()) return applyRule(name, unaryRules[name], [g, x], NO_ATTRS);
  const out = new Tensor(newBuffer(x.dtype, x.storage.length), x.shape, x.dtype);
  backend().binary(name, g.storage, g.shape, x.storage, x.shape, out.storage, x.shape);
  return out;
}

/** g·(2x), the gradient of square: one fused op where g and x share shape and float dtype. */
const squareBackward = (g: Tensor, x: Tensor): Tensor => (fusable(g, x) ? fusedGrad("square_backward", g, x) : mul(g, mul(x, 2)));
/** relu's gradient from its result y: 0 where y ≤ 0, else g (PyTorch's threshold_backward). */
const reluBackward = (g: Tensor, y: Tensor): Tensor => (fusable(g, y) ? fusedGrad("relu_backward", g, y) : where(le(y, 0), 0, g));

/** A copy with its own storage, recorded (torch.clone). */
export const clone = un("clone");
/** `x` converted to `dtype` (itself if already of it); float-to-float conversions carry gradients. */
export const cast = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : apply("cast", [x], { dtype }));
export const neg = un("neg");
export const exp = un("exp");
export const log = un("log");
export const sqrt = un("sqrt");
export const rsqrt = un("rsqrt");
export const square = un("square");
export const abs = un("abs");
export const sign = un("sign");
export const sin = un("sin");
export const cos = un("cos");
export const tan = un("tan");
export const tanh = un("tanh");
export const sigmoid = un("sigmoid");
export const relu = un("relu");
export const log1p = un("log1p");
export const expm1 = un("expm1");
export const erf = un("erf");
export const reciprocal = un("reciprocal");
export const floor = un("floor");
export const ceil = un("ceil");
export const round = un("round");
export const trunc = un("trunc");
export const logicalNot = un("logical_not");
export const isnan = un("isnan");
export const isinf = un("isinf");
export const isfinite = un("isfinite");
export const silu = un("silu");
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => apply("leaky_relu", [x], { negativeSlope });
export const elu = (x: Tensor, alpha = 1): Tensor => apply("elu", [x], { alpha });
export const softplus = (x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor =>
  apply("softplus", [x], { beta: opts.beta ?? 1, threshold: opts.threshold ?? 20 });
export const gelu = (x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor =>
  apply("gelu", [x], { approximate: opts.approximate ?? "none" });
/** x ** exponent for a number exponent. */
export function powScalar(x: Tensor, exponent: number): Tensor {
  const intBase = x.dtype === "int32" || x.dtype === "bool";
  if (intBase && Number.isInteger(exponent) && exponent < 0) {
    throw new DTypeError(`pow: integers to negative integer powers are not allowed (${x.dtype} tensor of shape ${fmtShape(x.shape)} ** ${exponent})`);
  }
  // An integer tensor to a fractional power is float, as in PyTorch.
  return apply("pow_scalar", [Number.isInteger(exponent) ? x : castTo(x, floatType(x))], { exponent });
}
/** base ** x for a number base. */
export const rpowScalar = (base: number, x: Tensor): Tensor => apply("rpow_scalar", [x], { base });
