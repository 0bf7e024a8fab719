// torch.utils: `data` (datasets and loaders).
export * as data from "./data.js";
