import { Tensor } from "../tensor/tensor.js";
import { isGradEnabled, setGradEnabled } from "../autograd/grad_mode.js";
import { Node } from "../autograd/node.js";
import type { OpAttrs, OpName, OpRule } from "./rule.js";
import { TABLE } from "./table.js";

/**
 * Runs op `name`: its forward with recording off, then, if recording and any input requires grad,
 * a graph node. Every op of duograd goes through here.
 */
export function apply<K extends OpName>(name: K, inputs: readonly Tensor[], attrs: OpAttrs[K]): Tensor {
  return applyRule(name, TABLE[name] as OpRule<OpAttrs[K]>, inputs, attrs);
}

/**
 * `apply` with the op's rule already looked up: op wrappers called at every step (add, mul, …)
 * resolve their rule once instead of a table lookup by name per call.
 */
export function applyRule<A>(name: OpName, rule: OpRule<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  if (!isGradEnabled() || rule.differentiable === false) return rule.forward(inputs, attrs);
  let record = false;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      record = true;
      break;
    }
  }
  if (!record) return rule.forward(inputs, attrs);
  setGradEnabled(false);
  let out: Tensor;
  try {
    out = rule.forward(inputs, attrs);
  } finally {
    setGradEnabled(true);
  }
  // Integer and bool results carry no gradient, as in PyTorch.
  if (out.dtype !== "float32" && out.dtype !== "float64") return out;
  // A forward that returns one of its inputs unchanged (an identity reshape) still gets its own node.
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i] === out) {
      out = aliasOf(out);
      break;
    }
  }
  out.requiresGrad = true;
  out.gradFn = new Node(name, rule, inputs, attrs, out);
  return out;
}

/** A new tensor object sharing `t`'s storage and version counter (a view of all of it). */
export function aliasOf(t: Tensor, shape: readonly number[] = t.shape): Tensor {
  const v = new Tensor(t.storage, shape, t.dtype);
  v._base = t._base ?? t;
  return v;
}
