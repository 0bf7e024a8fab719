/** Figures of the line-fitting demo: Vega-Lite specs and their offline rendering to SVG/PNG. */
export { dataSpec, fitSpec, lossSpec, programColor, FONT_FAMILY } from "./specs.js";
export type { FigureOptions, FitLine, LossSeries } from "./specs.js";
export { renderSvg, svgToPng, writeFigure } from "./render.js";
export type { FigurePaths, PngOptions } from "./render.js";
