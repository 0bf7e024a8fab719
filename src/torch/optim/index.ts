// torch.optim: optimizers and `lrScheduler`.
export { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamsArg, type OptimizerStateDict } from "./optimizer.js";
export { SGD, Adam, AdamW, RMSprop, Adagrad, type SGDOptions, type AdamOptions, type RMSpropOptions, type AdagradOptions } from "./optimizers.js";
export * as lrScheduler from "./lr_scheduler.js";
