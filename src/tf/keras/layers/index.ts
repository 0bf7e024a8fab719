// tf.keras.layers
export { Layer, type LayerArgs, type CallArgs, type AddWeightOptions, type Shape } from "../layer.js";
export { InputLayer, type InputLayerArgs } from "../functional.js";
export { Dense, Activation, Dropout, Flatten, Reshape, type DenseArgs, type DropoutArgs } from "./core.js";
export {
  Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D,
  MaxPooling2D as MaxPool2D, AveragePooling2D as AvgPool2D, GlobalAveragePooling2D as GlobalAvgPool2D, GlobalMaxPooling2D as GlobalMaxPool2D,
  type Conv2DArgs, type Pooling2DArgs, type Padding, type DataFormat,
} from "./conv.js";
export {
  BatchNormalization, LayerNormalization, Embedding,
  type BatchNormalizationArgs, type LayerNormalizationArgs, type EmbeddingArgs,
} from "./normalization.js";
