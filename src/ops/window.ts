// The one mapping of conv's and pooling's 1-D and 2-D windows onto the kernels' 2-D window.
import type { WindowAttrs } from "./conv.js";

/**
 * The 2-D window of a 1-D or 2-D (`nd`) one given per spatial dim (image size, kernel, stride,
 * padding before, dilation, output size): a 1-D window is a 2-D one over an image of height 1.
 */
export function window2d(nd: number, size: number[], kernel: number[], stride: number[], pad: number[], dilation: number[], out: number[]): WindowAttrs {
  const at = (v: number[], one: number): number[] => (nd === 2 ? v : [one, v[0]]);
  const [h, w] = at(size, 1);
  const [kh, kw] = at(kernel, 1);
  const [sh, sw] = at(stride, 1);
  const [ph, pw] = at(pad, 0);
  const [dh, dw] = at(dilation, 1);
  const [oh, ow] = at(out, 1);
  return { kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow };
}
