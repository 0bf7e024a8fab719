// The loss functions of the core, shared by both dialects (nn.MSELoss, tf.losses.mse, … wrap these).
export type { Reduction, ReductionOptions } from "./common.js";
export { mseLoss, l1Loss, huberLoss, smoothL1Loss } from "./regression.js";
export { crossEntropy, nllLoss, type CrossEntropyOptions, type NllLossOptions } from "./classification.js";
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, type BceOptions, type BceWithLogitsOptions } from "./bce.js";
