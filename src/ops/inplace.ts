import { Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { AutogradError, DTypeError, ShapeError } from "../tensor/errors.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { isFloating, promoteTypes } from "../tensor/dtype.js";
import { backend } from "../backend/registry.js";
import type { Node } from "../autograd/node.js";
import { apply } from "./apply.js";
import { binaryComputeType, castOperand, toTensor, type TensorLike } from "./util.js";
import { full } from "../tensor/creation.js";

/**
 * Runs `fn` out of place and writes its result into `self`, bumping the version counter so that
 * a backward pass reading the old values fails clearly. When recording, `self` then stands for
 * the result in the graph (PyTorch's in-place rebase), and the op reads a snapshot of the old
 * values.
 */
export function inplace(op: string, self: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  const recording = isGradEnabled();
  checkWritable(op, self, recording);
  const base = self._base;
  let prev = self;
  if (recording && self.requiresGrad) {
    prev = new Tensor(self.storage.slice(), self.shape, self.dtype);
    prev.requiresGrad = true;
    prev.gradFn = self.gradFn;
  }
  const r = fn(prev);
  if (!shapesEqual(r.shape, self.shape)) {
    throw new ShapeError(`${op}: output with shape ${fmtShape(self.shape)} doesn't match the broadcast shape ${fmtShape(r.shape)}`);
  }
  if (promoteTypes(r.dtype, self.dtype) !== self.dtype && !(self.dtype === "bool" && r.dtype === "bool")) {
    throw new DTypeError(`${op}: result type ${r.dtype} can't be cast to the desired output type ${self.dtype}`);
  }
  backend().cast(r.storage, self.storage, self.dtype === "bool");
  self._bumpVersion();
  if (r.gradFn !== null && isFloating(self.dtype)) {
    adopt(self, r.gradFn);
    // Views here alias their whole base (reshape/view), so the base's new value is this view
    // reshaped back: record that, so gradients through the base see the change (PyTorch's CopySlices).
    if (base !== null && recording) adopt(base, apply("reshape", [self], { shape: base.shape.slice() }).gradFn!);
  } else if (prev !== self) {
    // The new values do not depend on the old ones (zero_, fill_): self is now a constant.
    self.gradFn = null;
    self.requiresGrad = false;
  }
  return self;
}

/** The in-place refusals of PyTorch, checked before anything is written. */
function checkWritable(op: string, self: Tensor, recording: boolean): void {
  if (recording && self.requiresGrad && self.gradFn === null) {
    throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation (shape ${fmtShape(self.shape)}); wrap it in noGrad`);
  }
  const base = self._base;
  if (recording && base !== null && base.requiresGrad && base.gradFn === null) {
    throw new AutogradError(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation (view of shape ${fmtShape(self.shape)}, base of shape ${fmtShape(base.shape)})`);
  }
}

/** Whether `from` broadcasts to exactly `to` (no error: the general path reports mismatches). */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  if (lead < 0) return false;
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[lead + i]) return false;
  return true;
}

/**
 * `self op= other` for + − × ÷ (add_, sub_, mul_, div_). When nothing is recorded and `other`
 * (broadcast) already has self's shape and dtype promotion lands on self's dtype, the kernel
 * writes straight into self's storage: the general path's temporary result and copy-back cost
 * more than the arithmetic on the small tensors of an optimizer step. Every other case (recording,
 * casts, errors) goes through `inplace`, so values, version bumps and graphs are the same.
 */
export function inplaceBinary(op: string, self: Tensor, kernel: "add" | "sub" | "mul" | "div", other: TensorLike): Tensor {
  const o = toTensor(other);
  const recording = isGradEnabled();
  if (!(recording && (self.requiresGrad || o.requiresGrad)) && broadcastsTo(o.shape, self.shape)) {
    const ct = binaryComputeType(self, o, kernel === "div");
    if (ct === self.dtype && self.dtype !== "bool") {
      checkWritable(op, self, recording);
      backend().binary(kernel, self.storage, self.shape, castOperand(o, ct).storage, o.shape, self.storage, self.shape);
      self._bumpVersion();
      return self;
    }
  }
  return inplace(op, self, (x) => apply(kernel, [x, o], {}));
}

/**
 * `self += alpha·other` (add_ and sub_ with alpha, sub_ passing −alpha) in one kernel, when
 * nothing is recorded and `other` is a tensor of self's float dtype and shape: the optimizers'
 * update `p.add_(g, -lr)`. Same values as `add_(mul(other, alpha))` (the kernel rounds the
 * product and the sum as those two ops do), without the temporary. Returns null where the fast
 * path does not apply; the caller then takes the general one.
 */
export function inplaceAddScaled(op: string, self: Tensor, other: TensorLike, alpha: number): Tensor | null {
  if (!(other instanceof Tensor)) return null;
  const recording = isGradEnabled();
  if (recording && (self.requiresGrad || other.requiresGrad)) return null;
  if (other.dtype !== self.dtype || !isFloating(self.dtype) || !shapesEqual(other.shape, self.shape)) return null;
  checkWritable(op, self, recording);
  backend().addScaled(self.storage, other.storage, alpha, self.storage);
  self._bumpVersion();
  return self;
}

/**
 * fill_(value) / zero_(): writes `value` into self directly when nothing is recorded for self
 * (the general path builds a filled tensor and copies it over). Bool tensors and recorded
 * tensors take the general path.
 */
export function inplaceFill(op: string, self: Tensor, value: number): Tensor {
  const recording = isGradEnabled();
  if (!(recording && self.requiresGrad) && typeof value === "number" && self.dtype !== "bool") {
    checkWritable(op, self, recording);
    backend().fill(self.storage, value);
    self._bumpVersion();
    return self;
  }
  return inplace(op, self, (x) => full(x.shape, value, { dtype: x.dtype }));
}

/** Makes `t` the output of `node` in the graph. */
function adopt(t: Tensor, node: Node): void {
  node.out = t;
  if (node.savedVersions && node.rule.saves) {
    node.rule.saves.forEach((s, i) => {
      if (s === "out") node.savedVersions![i] = t.version;
    });
  }
  t.gradFn = node;
  t.requiresGrad = true;
}
