// tf.keras.optimizers, with the schedules namespace.
export { Optimizer, SGD, Adam, RMSprop, Adagrad, getOptimizer as get } from "./optimizers.js";
export type { OptimizerArgs, SGDArgs, AdamArgs, RMSpropArgs, AdagradArgs, LearningRate } from "./optimizers.js";
export * as schedules from "./schedules.js";
