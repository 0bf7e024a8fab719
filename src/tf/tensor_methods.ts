// Tensor methods TensorFlow code uses: `x.numpy()`.
import { Tensor } from "../tensor/tensor.js";

declare module "../tensor/tensor.js" {
  interface Tensor {
    /**
     * The values as JavaScript data, as TF's `.numpy()`: a number (a boolean for bool) for a 0-d
     * tensor, nested arrays otherwise.
     * @example tf.reduceMean(x).numpy() // 0.25
     */
    numpy(): any;
  }
}

if (!Object.prototype.hasOwnProperty.call(Tensor.prototype, "numpy")) {
  Object.defineProperty(Tensor.prototype, "numpy", {
    value: function (this: Tensor) {
      return this.tolist();
    },
    writable: true,
    configurable: true,
  });
}
