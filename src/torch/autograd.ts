// torch.autograd: gradients of outputs with respect to inputs, and finite-difference checks.
export { grad, type GradOptions } from "../autograd/engine.js";
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradgradcheckOptions } from "../autograd/gradcheck.js";
import type { Tensor } from "../tensor/tensor.js";
import { AutogradError, ValueError } from "../tensor/errors.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { onesLike } from "../tensor/creation.js";
import { runEngine } from "../autograd/engine.js";

/**
 * Accumulates the gradients of several outputs into the leaves' `.grad` in one backward pass
 * (`torch.autograd.backward`); `gradTensors` are their upstream gradients (null for a scalar).
 * @example torch.autograd.backward([loss1, loss2])
 */
export function backward(tensors: Tensor | readonly Tensor[], gradTensors?: Tensor | readonly (Tensor | null)[] | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
  const ts = Array.isArray(tensors) ? (tensors as readonly Tensor[]) : [tensors as Tensor];
  const given = gradTensors === undefined || gradTensors === null ? ts.map(() => null) : Array.isArray(gradTensors) ? (gradTensors as readonly (Tensor | null)[]) : [gradTensors as Tensor];
  if (given.length !== ts.length) throw new ValueError(`autograd.backward: got ${given.length} gradients for ${ts.length} tensors`);
  const gs = ts.map((t, i) => {
    if (!t.requiresGrad) throw new AutogradError(`autograd.backward: element ${i} of tensors does not require grad and does not have a grad_fn`);
    const g = given[i];
    if (g) {
      if (!shapesEqual(g.shape, t.shape)) throw new AutogradError(`autograd.backward: grad_tensors[${i}] has shape ${fmtShape(g.shape)} but tensors[${i}] has shape ${fmtShape(t.shape)}`);
      return g;
    }
    if (t.numel() !== 1) throw new AutogradError(`autograd.backward: grad can be implicitly created only for scalar outputs (tensors[${i}] has shape ${fmtShape(t.shape)})`);
    return onesLike(t);
  });
  const createGraph = opts.createGraph ?? false;
  runEngine(ts, gs, { createGraph, retainGraph: opts.retainGraph ?? createGraph, targets: null, filter: null });
}
