// torch.nn.utils: gradient clipping and parameter/vector conversion.
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { norm, amax } from "../../ops/reduce.js";
import { abs } from "../../ops/unary.js";
import { cat, reshape, narrow } from "../../ops/shape.js";
import { stack } from "../../ops/shape.js";

const asList = (ps: Iterable<Tensor> | Tensor): Tensor[] => (ps instanceof Tensor ? [ps] : [...ps]);

/**
 * Scales the gradients of `parameters` in place so that their joint norm is at most `maxNorm`;
 * returns the norm before clipping (a 0-d tensor), as `clip_grad_norm_`.
 * @example torch.nn.utils.clipGradNorm_(model.parameters(), 1.0)
 */
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2): Tensor {
  const grads = asList(parameters).map((p) => p.grad).filter((g): g is Tensor => g !== null);
  return noGrad(() => {
    if (grads.length === 0) return new Tensor(new Float32Array([0]), [], "float32");
    const total = normType === Infinity
      ? amax(stack(grads.map((g) => amax(abs(g)))))
      : norm(stack(grads.map((g) => norm(g, normType))), normType);
    const coef = maxNorm / (total.item() + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient to [−clipValue, clipValue] in place (`clip_grad_value_`). */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue_: clip_value must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const p of asList(parameters)) p.grad?.clamp_(-clipValue, clipValue);
  });
}

/** All parameters flattened into one vector (`parameters_to_vector`). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat(asList(parameters).map((p) => reshape(p, [-1])), 0);
}

/** Copies consecutive slices of `vec` into the parameters, in place (`vector_to_parameters`). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const ps = asList(parameters);
  const total = ps.reduce((n, p) => n + p.numel(), 0);
  if (vec.ndim !== 1 || vec.numel() !== total) throw new ValueError(`vectorToParameters: expected a vector of ${total} elements, got shape [${vec.shape.join(", ")}]`);
  noGrad(() => {
    let at = 0;
    for (const p of ps) {
      p.copy_(reshape(narrow(vec, 0, at, p.numel()), p.shape));
      at += p.numel();
    }
  });
}
