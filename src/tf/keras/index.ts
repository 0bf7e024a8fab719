// tf.keras
import "./functional.js";
export { Model, type ModelArgs, type CompileArgs, type SummaryArgs, type StepData } from "./model.js";
export { Sequential } from "./sequential.js";
export { Input, KerasTensor } from "./functional.js";
export type { FitArgs, EvaluateArgs, PredictArgs } from "./training.js";
export * as layers from "./layers/index.js";
export * as losses from "./losses.js";
export * as metrics from "./metrics.js";
export * as optimizers from "./optimizers_api.js";
export * as callbacks from "./callbacks.js";
export * as initializers from "./initializers.js";
export * as regularizers from "./regularizers.js";
export * as activations from "./activations.js";
export * as utils from "./utils.js";
export * as backend from "./backend.js";
export * as models from "./models.js";
