// What every update rule shares: the state record, validation of parameters, gradients and state,
// the frame of a step, and the lazily created state tensors (the number checks are in checks.ts).
// The rules themselves live one per file.
import { Tensor } from "../tensor/tensor.js";
import { isFloating } from "../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { DTypeError, ShapeError, ValueError } from "../tensor/errors.js";
import { full } from "../tensor/creation.js";
import { isGradEnabled, setGradEnabled } from "../autograd/grad_mode.js";
import { cast, neg } from "../ops/unary.js";
import { mul } from "../ops/binary.js";
// The rules update tensors through the in-place methods (add_, mul_, copy_), which this attaches.
import "../ops/methods.js";

/**
 * Per-parameter optimizer state. The caller owns it (one record per parameter, `{}` before the
 * first step) so that state dicts can serialise it; the rule fills it on its first call and
 * updates its tensors in place afterwards. Keys follow the framework named by `style`
 * (PyTorch's `exp_avg`, Keras' `m`, …); `step` counts the updates applied to the parameter.
 */
export type ParamState = Record<string, Tensor | number>;

/** Which framework's formula a rule follows, where the two differ. */
export type OptimStyle = "torch" | "keras";

/** Throws unless `style` is "torch" or "keras", naming the optimizer. */
export function checkStyle(opt: string, style: unknown): asserts style is OptimStyle {
  if (style !== "torch" && style !== "keras") {
    throw new ValueError(`${opt}: invalid style: ${String(style)} (expected "torch" or "keras")`);
  }
}

/**
 * Checks the parameter, its gradient and any state already present, before anything is changed:
 * a failing step leaves the parameter and the state as they were. `tensorKeys` are the state
 * entries that must be tensors shaped like the parameter.
 */
function checkStep(opt: string, param: Tensor, grad: Tensor, state: ParamState, tensorKeys: readonly string[]): void {
  if (!(param instanceof Tensor)) throw new ValueError(`${opt}: the parameter must be a Tensor`);
  if (!(grad instanceof Tensor)) throw new ValueError(`${opt}: the gradient must be a Tensor (shape ${fmtShape(param.shape)} parameter)`);
  if (!isFloating(param.dtype)) {
    throw new DTypeError(`${opt}: can only optimize floating point parameters, got ${param.dtype} (shape ${fmtShape(param.shape)})`);
  }
  if (!isFloating(grad.dtype)) {
    throw new DTypeError(`${opt}: the gradient must be floating point, got ${grad.dtype} (shape ${fmtShape(grad.shape)})`);
  }
  if (!shapesEqual(param.shape, grad.shape)) {
    throw new ShapeError(`${opt}: the gradient's shape ${fmtShape(grad.shape)} doesn't match the parameter's shape ${fmtShape(param.shape)}`);
  }
  if (typeof state !== "object" || state === null) throw new ValueError(`${opt}: the state must be an object (use {} before the first step)`);
  const step = state.step;
  if (step !== undefined && (typeof step !== "number" || !Number.isInteger(step) || step < 0)) {
    throw new ValueError(`${opt}: state.step must be a non-negative integer, got ${String(step)}`);
  }
  for (let i = 0; i < tensorKeys.length; i++) {
    const key = tensorKeys[i];
    const t = state[key];
    if (t === undefined) continue;
    if (!(t instanceof Tensor)) throw new ValueError(`${opt}: state.${key} must be a Tensor, got ${typeof t}`);
    if (!shapesEqual(t.shape, param.shape)) {
      throw new ShapeError(`${opt}: state.${key} has shape ${fmtShape(t.shape)} but the parameter has shape ${fmtShape(param.shape)}`);
    }
    if (!isFloating(t.dtype)) throw new DTypeError(`${opt}: state.${key} must be floating point, got ${t.dtype}`);
  }
}

/** The gradient in the parameter's dtype (frameworks keep them equal; a loaded one may differ). */
function gradIn(param: Tensor, grad: Tensor): Tensor {
  return cast(grad, param.dtype);
}

/**
 * The frame of every update rule: checks the step (see checkStep) before anything changes, then,
 * under noGrad, counts it in `state.step` and runs `update` with the gradient in the parameter's
 * dtype, negated when `maximize`, and the new step count.
 * @example runUpdate("SGD", param, grad, state, ["momentum_buffer"], false, (g) => param.add_(g, -lr));
 */
export function runUpdate(
  opt: string, param: Tensor, grad: Tensor, state: ParamState, tensorKeys: readonly string[], maximize: boolean,
  update: (g: Tensor, step: number) => void,
): void {
  checkStep(opt, param, grad, state, tensorKeys);
  // (The mode switched here rather than by noGrad: no closure per parameter and step.)
  const prev = isGradEnabled();
  setGradEnabled(false);
  try {
    const step = nextStep(state);
    const g = gradIn(param, grad);
    update(maximize ? neg(g) : g, step);
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Whether an update of `param` by `grad` can run as one fused backend kernel (backend.adamUpdate
 * and its siblings): one float dtype and one shape, so the kernel walks the two arrays together.
 */
export function fusable(param: Tensor, grad: Tensor): boolean {
  return grad.dtype === param.dtype && isFloating(param.dtype) && shapesEqual(grad.shape, param.shape);
}

/** Moves the versions of tensors a fused kernel wrote in place, as an in-place op would. */
export function written(...ts: Tensor[]): void {
  for (const t of ts) t._bumpVersion();
}

/**
 * The state tensor `key`, created filled with `init` (in the parameter's dtype and shape) when
 * absent. One loaded in another dtype is converted once, as PyTorch's load_state_dict does.
 */
export function slot(state: ParamState, key: string, param: Tensor, init: number): Tensor {
  let t = state[key];
  if (t instanceof Tensor) {
    if (t.dtype !== param.dtype) {
      t = cast(t, param.dtype);
      state[key] = t;
    }
    return t;
  }
  t = full(param.shape, init, { dtype: param.dtype });
  state[key] = t;
  return t;
}

/** Increments and returns `state.step` (0 before the first update). */
function nextStep(state: ParamState): number {
  const s = ((state.step as number | undefined) ?? 0) + 1;
  state.step = s;
  return s;
}

/**
 * Keras' weight decay (TF ≥ 2.11 `Optimizer._apply_weight_decay`): decoupled from the gradient
 * and applied to the variable before the update step, for every algorithm:
 * `variable.assign_sub(variable * wd * lr)`. (The legacy optimizer_v2 had no weight decay; the
 * experimental AdamW of TF ≤ 2.10 decayed by `variable * wd`, without the learning rate.)
 */
export function kerasWeightDecay(param: Tensor, lr: number, weightDecay: number): void {
  if (weightDecay !== 0) param.sub_(mul(mul(param, weightDecay), lr));
}
