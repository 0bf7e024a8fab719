import type { Backend } from "../backend.js";
import { addScaled, arange, binary, cast, fill, unary, where } from "./elementwise.js";
import { argReduce, cumsum, reduce } from "./reduce.js";
import { stridedGather, stridedScatterAdd } from "./layout.js";
import { matmul } from "./matmul.js";
import { adagradUpdate, adamUpdate, kerasAdamUpdate, rmspropUpdate, sgdMomentumUpdate } from "./optim.js";
import { mseLoss, mseLossBackward } from "./losses.js";
import { gather, scatterAdd } from "./indexing.js";
import { col2im, im2col } from "./conv.js";

/** The portable backend: plain JavaScript loops, runs everywhere. */
export const jsBackend: Backend = {
  name: "js",
  unary,
  binary,
  where,
  addScaled,
  adamUpdate,
  kerasAdamUpdate,
  rmspropUpdate,
  adagradUpdate,
  sgdMomentumUpdate,
  mseLoss,
  mseLossBackward,
  cast,
  fill,
  arange,
  reduce,
  argReduce,
  cumsum,
  stridedGather,
  stridedScatterAdd,
  matmul,
  gather,
  scatterAdd,
  im2col,
  col2im,
};
