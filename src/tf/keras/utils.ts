// tf.keras.utils
export { Progbar, type ProgbarOptions } from "./progbar.js";
export { setOutput, type KerasOutput } from "./output.js";
