import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { isFloating } from "../tensor/dtype.js";
import { DTypeError } from "../tensor/errors.js";
import { fmtShape } from "../tensor/shape.js";
import { formatTensor } from "../tensor/format.js";

/**
 * A tensor that is a module's learnable weight (PyTorch's `nn.Parameter`): a leaf that requires
 * grad by default and that modules register when it is assigned to one of their fields. It shares
 * the storage (and version counter) of the tensor it wraps, as PyTorch's does.
 *
 * @example
 * class M extends Module { w = new Parameter(torch.empty(1, 1).uniform_(-0.1, 0.1)); }
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requiresGrad = true) {
    const src = data ?? new Tensor(new Float32Array(0), [0], "float32");
    super(src.storage, src.shape.slice(), src.dtype);
    this._base = src._base ?? src;
    if (requiresGrad && !isFloating(src.dtype)) {
      throw new DTypeError(`Parameter: only tensors of floating point dtype can require gradients (got ${src.dtype}, shape ${fmtShape(src.shape)})`);
    }
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Replaces the contents of `t` by those of `src` (new storage, shape and dtype), keeping the
 * object: PyTorch's `param.data = src`. Optimizers and state dicts that hold `t` see the change.
 * Not recorded by autograd.
 */
export function setData(t: Tensor, src: Tensor): void {
  const m = t as { storage: Tensor["storage"]; shape: readonly number[]; dtype: DType; _base: Tensor | null };
  m.storage = src.storage;
  m.shape = src.shape.slice();
  m.dtype = src.dtype;
  m._base = src._base ?? src;
  t._bumpVersion();
}
