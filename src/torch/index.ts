/**
 * The PyTorch dialect: `torch.tensor`, `torch.nn.Module`, `torch.optim.SGD`, `F = torch.nn.functional`,
 * … under PyTorch's names in camelCase, with keyword arguments in a trailing options object. It
 * holds names and calling conventions only; the math is the shared core's.
 *
 * @example
 * import { torch } from "duograd";
 * torch.manualSeed(0);
 * const model = new torch.nn.Linear(1, 1);
 * const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
 */
import "../ops/methods.js";
import "./indexing.js";
import type { DType } from "../tensor/dtype.js";
import { defaultGenerator } from "../tensor/random_ops.js";
import type { TorchGeneratorState } from "../tensor/random/torch_generator.js";

export { Tensor } from "../tensor/tensor.js";
export type { DType } from "../tensor/dtype.js";
export { TorchGenerator as Generator } from "../tensor/random/torch_generator.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "../autograd/grad_mode.js";
export { defaultGenerator, manualSeed } from "../tensor/random_ops.js";
export { index, type IndexItem, type Slice } from "./indexing.js";
export * from "./creation.js";
export * from "./ops.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as autograd from "./autograd.js";
export * as utils from "./utils/index.js";
export { save, load, saveBytes } from "./serialization.js";

export const float32: DType = "float32";
export const float: DType = "float32";
export const float64: DType = "float64";
export const double: DType = "float64";
export const int32: DType = "int32";
export const int: DType = "int32";
/** duograd's integer dtype is int32: `torch.long` / `torch.int64` name it so that code ports as is. */
export const int64: DType = "int32";
export const long: DType = "int32";
export const bool: DType = "bool";

/** The seed the torch generator was last seeded with (`torch.initial_seed()`). */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed();
}

/** The torch generator's state (`torch.get_rng_state()`), for {@link setRngState}. */
export function getRngState(): TorchGeneratorState {
  return defaultGenerator.getState();
}

/** Restores a state from {@link getRngState}. */
export function setRngState(state: TorchGeneratorState): void {
  defaultGenerator.setState(state);
}
