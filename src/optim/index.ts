// The optimizer layer of the shared training core: update rules and learning-rate schedules.
// The torch and tf dialects wrap these in their optimizer and scheduler classes.
export type { ParamState, OptimStyle } from "./common.js";
export { sgdStep, sgdApply, sgdDefaults, validateSgd, type SgdHyper } from "./sgd.js";
export { adamStep, adamDefaults, validateAdam, type AdamHyper } from "./adam.js";
export { rmspropStep, rmspropDefaults, validateRmsprop, type RmspropHyper } from "./rmsprop.js";
export { adagradStep, adagradDefaults, validateAdagrad, type AdagradHyper } from "./adagrad.js";
export {
  stepLR, multiStepLR, exponentialLR, cosineAnnealingLR, linearLR,
  exponentialDecay, piecewiseConstantDecay, inverseTimeDecay, polynomialDecay, cosineDecay,
} from "./schedules.js";
