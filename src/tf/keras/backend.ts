// tf.keras.backend
import { resetNames } from "./names.js";

/** Keras' backend epsilon (1e-7). */
export function epsilon(): number {
  return 1e-7;
}

/** Resets Keras' automatic layer names (`dense`, `dense_1`, … start over), as `clear_session`. */
export function clearSession(): void {
  resetNames();
}
