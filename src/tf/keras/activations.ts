// Keras' activation functions, by function or by name (as `Dense(…, { activation: "relu" })`).
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import * as A from "../../ops/api.js";
import { toSnakeCase } from "./names.js";

export type ActivationFn = (x: Tensor) => Tensor;

export const linear: ActivationFn = (x) => x;
export const relu: ActivationFn = (x) => A.relu(x);
export const sigmoid: ActivationFn = (x) => A.sigmoid(x);
export const tanh: ActivationFn = (x) => A.tanh(x);
/** Softmax over the last axis. */
export const softmax = (x: Tensor, axis = -1): Tensor => A.softmax(x, axis);
export const elu = (x: Tensor, alpha = 1): Tensor => A.elu(x, alpha);
/** SELU with Keras' constants. */
export const selu: ActivationFn = (x) => A.mul(A.elu(x, 1.6732632423543772), 1.0507009873554805);
export const softplus: ActivationFn = (x) => A.softplus(x);
/** x / (1 + |x|). */
export const softsign: ActivationFn = (x) => A.div(x, A.add(A.abs(x), 1));
/** x · sigmoid(x), Keras' `swish` / `silu`. */
export const swish: ActivationFn = (x) => A.silu(x);
/** Keras' default is the exact (erf) form. */
export const gelu = (x: Tensor, approximate = false): Tensor => A.gelu(x, { approximate: approximate ? "tanh" : "none" });
export const exponential: ActivationFn = (x) => A.exp(x);
/** Keras 2's piecewise-linear sigmoid, clip(0.2·x + 0.5, 0, 1). */
export const hardSigmoid: ActivationFn = (x) => A.clamp(A.add(A.mul(x, 0.2), 0.5), 0, 1);
/** tf.nn.leaky_relu's default slope is 0.2. */
export const leakyRelu = (x: Tensor, alpha = 0.2): Tensor => A.leakyRelu(x, alpha);

const BY_NAME: Record<string, ActivationFn> = {
  linear, relu, sigmoid, tanh, softmax: (x) => softmax(x), elu: (x) => elu(x), selu, softplus, softsign,
  swish, silu: swish, gelu: (x) => gelu(x), exponential, hard_sigmoid: hardSigmoid, leaky_relu: (x) => leakyRelu(x),
};

/** An activation by function, or by name (snake_case or camelCase); null/undefined is linear. */
export type ActivationLike = ActivationFn | string | null | undefined;

/** Keras' `activations.get`. An unknown name is an error listing the known ones. */
export function getActivation(id: ActivationLike): ActivationFn {
  if (id === null || id === undefined) return linear;
  if (typeof id === "function") return id;
  const f = BY_NAME[toSnakeCase(id)];
  if (!f) throw new ValueError(`Unknown activation function: '${id}'. Known activations: ${Object.keys(BY_NAME).join(", ")}`);
  return f;
}

/** The name Keras shows for an activation (for `getConfig`). */
export function activationName(f: ActivationFn): string {
  for (const [k, v] of Object.entries(BY_NAME)) if (v === f) return k;
  return f.name || "custom";
}

/** Keras' `tf.keras.activations.get`. */
export const get = getActivation;
