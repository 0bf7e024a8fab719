// tf.keras.models: loading whole models (io's keras_model.ts, which also enables model.save).
export { loadModel } from "../../io/keras_model.js";
