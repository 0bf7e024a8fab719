// Keras' automatic names: the class name in snake_case, numbered per name (`dense`, `dense_1`).

const counts = new Map<string, number>();

/** Keras' `to_snake_case`: `BatchNormalization` → `batch_normalization`, `Conv2D` → `conv2d`. */
export function toSnakeCase(name: string): string {
  const intermediate = name.replace(/(.)([A-Z][a-z0-9]+)/g, "$1_$2");
  const s = intermediate.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return s.startsWith("_") ? `private${s}` : s;
}

/**
 * A name not given before: `prefix` itself the first time (or `prefix_1` when not `zeroBased`),
 * then `prefix_1`, `prefix_2`, …
 */
export function uniqueName(prefix: string, zeroBased = true): string {
  const n = counts.get(prefix) ?? 0;
  counts.set(prefix, n + 1);
  if (zeroBased) return n === 0 ? prefix : `${prefix}_${n}`;
  return `${prefix}_${n + 1}`;
}

/** Restarts the numbering (Keras' `tf.keras.backend.clear_session()`). */
export function resetNames(): void {
  counts.clear();
}
