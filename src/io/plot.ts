import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { PNG } from 'pngjs';
import { InvalidArgumentError } from '../core/errors.js';
import { encodeImage } from './image.js';

/**
 * Small dependency-free SVG figures (image grids, line charts with error bars, heat maps) and
 * PNG output through @resvg/resvg-js. Text needs a system font (Debian: fonts-dejavu-core);
 * without one the figure still renders, without labels.
 */

const FONT = "font-family='DejaVu Sans, Arial, sans-serif'";

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * How a panel's values map to colours: `min` to `max` through a perceptually uniform colour map
 * (viridis: dark blue to yellow, readable in gray and by colour-blind readers), with a colour bar
 * labelled in the data's own units. Values outside [min, max] take the end colours.
 */
export interface ColorScale {
  min: number;
  max: number;
  /** Text beside the colour bar, e.g. '|error|' or 'posterior std'. */
  label?: string;
}

/** One image of an imageGridSvg figure, with its title. */
export interface Panel {
  title: string;
  data: ArrayLike<number>;
  /** [h, w] gray or [3, h, w] colour, values in [0, 1] (clipped); [h, w] only with `colorScale`. */
  shape: number[];
  subtitle?: string;
  /** Show the values in colour against a colour bar (error and uncertainty maps). */
  colorScale?: ColorScale;
}

// viridis at ten equally spaced points (matplotlib's table, rounded to 8 bits).
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

/** The viridis colour of t in [0, 1] (clipped) as 8-bit RGB. */
export function viridis(t: number): [number, number, number] {
  const u = (Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as [number, number, number];
}

/** A [h, w] map coloured through `scale` as a [3, h, w] image in [0, 1]. */
function colorize(data: ArrayLike<number>, shape: number[], scale: ColorScale): Float64Array {
  const n = data.length;
  if (shape.length !== 2 || shape[0]! * shape[1]! !== n) throw new InvalidArgumentError('imageGridSvg', 'panels[].shape', 'a [h, w] shape matching data with colorScale', shape);
  const out = new Float64Array(3 * n);
  const span = scale.max > scale.min ? scale.max - scale.min : 1;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = viridis((data[i]! - scale.min) / span);
    out[i] = r / 255;
    out[n + i] = g / 255;
    out[2 * n + i] = b / 255;
  }
  return out;
}

// Width taken by a colour bar with its tick labels and caption, right of its image.
const COLOR_BAR_WIDTH = 78;

function colorBarSvg(id: string, x: number, y: number, h: number, scale: ColorScale): string {
  const stops = Array.from({ length: 11 }, (_, i) => {
    const [r, g, b] = viridis(i / 10);
    return `<stop offset='${i / 10}' stop-color='rgb(${r},${g},${b})'/>`;
  }).join('');
  const parts = [
    `<defs><linearGradient id='${id}' x1='0' y1='1' x2='0' y2='0'>${stops}</linearGradient></defs>`,
    `<rect x='${x}' y='${y}' width='12' height='${h}' fill='url(#${id})' stroke='#333' stroke-width='0.5'/>`,
  ];
  const span = scale.max > scale.min ? scale.max - scale.min : 1;
  const ticks = niceTicks(scale.min, scale.max, 4);
  if (scale.max - ticks[ticks.length - 1]! > 0.15 * span) ticks.push(Number(scale.max.toPrecision(2)));
  for (const t of ticks) {
    const ty = y + h - ((t - scale.min) / span) * h;
    parts.push(`<line x1='${x + 12}' x2='${x + 16}' y1='${ty}' y2='${ty}' stroke='#333'/><text x='${x + 18}' y='${ty + 3.5}' font-size='10' ${FONT}>${fmt(t)}</text>`);
  }
  if (scale.label) {
    parts.push(`<text transform='translate(${x + COLOR_BAR_WIDTH - 8} ${y + h / 2}) rotate(-90)' text-anchor='middle' font-size='11' ${FONT}>${esc(scale.label)}</text>`);
  }
  return parts.join('');
}

/** Box-averages a panel by an integer factor so neither side exceeds `maxSize` (figures, not data). */
function shrinkPanel(p: Panel, maxSize: number): Panel {
  const h = p.shape[p.shape.length - 2]!;
  const w = p.shape[p.shape.length - 1]!;
  const f = Math.ceil(Math.max(h, w) / maxSize);
  if (f <= 1) return p;
  const channels = p.shape.length === 3 ? p.shape[0]! : 1;
  const [hs, ws] = [Math.ceil(h / f), Math.ceil(w / f)];
  const out = new Float64Array(channels * hs * ws);
  const count = new Float64Array(hs * ws);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const k = Math.floor(i / f) * ws + Math.floor(j / f);
        out[c * hs * ws + k]! += p.data[(c * h + i) * w + j]!;
        if (c === 0) count[k]!++;
      }
  for (let c = 0; c < channels; c++) for (let k = 0; k < hs * ws; k++) out[c * hs * ws + k]! /= count[k]!;
  return { ...p, data: out, shape: channels > 1 || p.shape.length === 3 ? [channels, hs, ws] : [hs, ws] };
}

/**
 * A grid of images with a title (and optional subtitle) above each; panels with a `colorScale`
 * are drawn in colour with a colour bar beside them. `scale` is the size of a pixel in the figure
 * (default 2); `maxSize` box-averages larger images down to at most that many pixels a side
 * first, which keeps figures of large images compact (the data files keep full resolution).
 */
export function imageGridSvg(panels: Panel[], options: { columns?: number; scale?: number; title?: string; maxSize?: number } = {}): string {
  if (panels.length === 0) throw new InvalidArgumentError('imageGridSvg', 'panels', 'at least one panel', panels);
  if (options.maxSize !== undefined) panels = panels.map((p) => shrinkPanel(p, options.maxSize!));
  const cols = options.columns ?? panels.length;
  const scale = options.scale ?? 2;
  const bar = panels.some((p) => p.colorScale) ? COLOR_BAR_WIDTH : 0;
  const cellW = Math.max(...panels.map((p) => p.shape[p.shape.length - 1]!)) * scale + bar;
  const cellH = Math.max(...panels.map((p) => p.shape[p.shape.length - 2]!)) * scale;
  const pad = 10;
  const header = options.title ? 30 : 0;
  const labelH = 36;
  const rows = Math.ceil(panels.length / cols);
  const width = cols * (cellW + pad) + pad;
  const height = header + rows * (cellH + labelH + pad) + pad;
  const parts = [`<svg xmlns='http://www.w3.org/2000/svg' width='${width}' height='${height}' viewBox='0 0 ${width} ${height}'>`, `<rect width='100%' height='100%' fill='white'/>`];
  if (options.title) parts.push(`<text x='${width / 2}' y='20' text-anchor='middle' font-size='16' ${FONT}>${esc(options.title)}</text>`);
  panels.forEach((p, i) => {
    const x = pad + (i % cols) * (cellW + pad);
    const y = header + pad + Math.floor(i / cols) * (cellH + labelH + pad);
    const pixels = p.colorScale ? colorize(p.data, p.shape, p.colorScale) : new Float64Array(p.data);
    const png = encodeImage(pixels, p.colorScale ? [3, ...p.shape] : p.shape, 'png').toString('base64');
    const w = p.shape[p.shape.length - 1]! * scale;
    const h = p.shape[p.shape.length - 2]! * scale;
    const mid = x + w / 2;
    parts.push(`<text x='${mid}' y='${y + 14}' text-anchor='middle' font-size='13' ${FONT}>${esc(p.title)}</text>`);
    if (p.subtitle) parts.push(`<text x='${mid}' y='${y + 30}' text-anchor='middle' font-size='11' fill='#444' ${FONT}>${esc(p.subtitle)}</text>`);
    parts.push(`<image x='${x}' y='${y + labelH}' width='${w}' height='${h}' image-rendering='pixelated' href='data:image/png;base64,${png}'/>`);
    if (p.colorScale) parts.push(colorBarSvg(`bar${i}`, x + w + 6, y + labelH, h, p.colorScale));
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One curve of a lineChartSvg figure: points (x, y) and optional error bars. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Half-widths of error bars (or [low, high] offsets). */
  yErr?: number[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * step; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

/** Line chart (optionally log-scale y) with markers and error bars. */
export function lineChartSvg(series: Series[], options: { title?: string; xLabel?: string; yLabel?: string; logY?: boolean; width?: number; height?: number } = {}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 420;
  const m = { l: 70, r: 200, t: 40, b: 55 };
  const tr = (v: number) => (options.logY ? Math.log10(Math.max(v, 1e-300)) : v);
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y.flatMap((v, i) => [v - (s.yErr?.[i] ?? 0), v + (s.yErr?.[i] ?? 0)])).filter((v) => Number.isFinite(v) && (!options.logY || v > 0));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  let y0 = Math.min(...ys.map(tr));
  let y1 = Math.max(...ys.map(tr));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
  const px = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((tr(v) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out = [`<svg xmlns='http://www.w3.org/2000/svg' width='${W}' height='${H}' viewBox='0 0 ${W} ${H}'>`, `<rect width='100%' height='100%' fill='white'/>`];
  out.push(`<rect x='${m.l}' y='${m.t}' width='${W - m.l - m.r}' height='${H - m.t - m.b}' fill='none' stroke='#333'/>`);
  for (const t of niceTicks(x0, x1)) {
    out.push(`<line x1='${px(t)}' x2='${px(t)}' y1='${H - m.b}' y2='${H - m.b + 5}' stroke='#333'/><text x='${px(t)}' y='${H - m.b + 18}' text-anchor='middle' font-size='11' ${FONT}>${fmt(t)}</text>`);
  }
  const yTicks = options.logY ? niceTicks(Math.ceil(y0), Math.floor(y1), 6).filter((t) => Number.isInteger(t)) : niceTicks(y0, y1);
  for (const t of yTicks) {
    const val = options.logY ? 10 ** t : t;
    out.push(`<line x1='${m.l - 5}' x2='${m.l}' y1='${py(val)}' y2='${py(val)}' stroke='#333'/><text x='${m.l - 8}' y='${py(val) + 4}' text-anchor='end' font-size='11' ${FONT}>${fmt(val)}</text>`);
  }
  if (options.title) out.push(`<text x='${(m.l + W - m.r) / 2}' y='24' text-anchor='middle' font-size='15' ${FONT}>${esc(options.title)}</text>`);
  if (options.xLabel) out.push(`<text x='${(m.l + W - m.r) / 2}' y='${H - 12}' text-anchor='middle' font-size='13' ${FONT}>${esc(options.xLabel)}</text>`);
  if (options.yLabel) out.push(`<text transform='translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)' text-anchor='middle' font-size='13' ${FONT}>${esc(options.yLabel)}</text>`);
  series.forEach((s, k) => {
    const col = PALETTE[k % PALETTE.length]!;
    const pts = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([, y]) => Number.isFinite(y) && (!options.logY || y > 0));
    if (pts.length > 1) out.push(`<polyline fill='none' stroke='${col}' stroke-width='2' points='${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}'/>`);
    s.x.forEach((x, i) => {
      const y = s.y[i]!;
      if (!Number.isFinite(y) || (options.logY && y <= 0)) return;
      const e = s.yErr?.[i];
      if (e) out.push(`<line x1='${px(x)}' x2='${px(x)}' y1='${py(Math.max(y - e, options.logY ? y / 10 : -Infinity))}' y2='${py(y + e)}' stroke='${col}'/>`);
      out.push(`<circle cx='${px(x)}' cy='${py(y)}' r='3.5' fill='${col}'/>`);
    });
    out.push(`<rect x='${W - m.r + 15}' y='${m.t + 20 * k}' width='12' height='12' fill='${col}'/><text x='${W - m.r + 32}' y='${m.t + 20 * k + 11}' font-size='12' ${FONT}>${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Heat map of values in [0, 1] on a grid (rows bottom-to-top = yValues), with optional overlay
 * curves (e.g. the theoretical phase transition) in data coordinates.
 */
export function heatmapSvg(grid: number[][], xValues: number[], yValues: number[], options: { title?: string; xLabel?: string; yLabel?: string; curves?: Series[] } = {}): string {
  const W = 620;
  const H = 480;
  const m = { l: 70, r: 110, t: 40, b: 55 };
  const nx = xValues.length;
  const ny = yValues.length;
  const cw = (W - m.l - m.r) / nx;
  const ch = (H - m.t - m.b) / ny;
  const color = (v: number) => {
    if (!Number.isFinite(v)) return '#cccccc';
    const t = Math.max(0, Math.min(1, v));
    // dark blue (0) to yellow (1)
    const r = Math.round(30 + 220 * t);
    const g = Math.round(40 + 190 * t);
    const b = Math.round(120 - 90 * t);
    return `rgb(${r},${g},${b})`;
  };
  const out = [`<svg xmlns='http://www.w3.org/2000/svg' width='${W}' height='${H}' viewBox='0 0 ${W} ${H}'>`, `<rect width='100%' height='100%' fill='white'/>`];
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out.push(`<rect x='${m.l + i * cw}' y='${H - m.b - (j + 1) * ch}' width='${cw + 0.5}' height='${ch + 0.5}' fill='${color(grid[j]?.[i] ?? NaN)}'/>`);
  const xAt = (v: number) => {
    // piecewise-linear between cell centres
    if (nx === 1) return m.l + cw / 2;
    let k = 0;
    while (k < nx - 2 && v > xValues[k + 1]!) k++;
    const f = (v - xValues[k]!) / (xValues[k + 1]! - xValues[k]!);
    return m.l + (k + 0.5 + f) * cw;
  };
  const yAt = (v: number) => {
    if (ny === 1) return H - m.b - ch / 2;
    let k = 0;
    while (k < ny - 2 && v > yValues[k + 1]!) k++;
    const f = (v - yValues[k]!) / (yValues[k + 1]! - yValues[k]!);
    return H - m.b - (k + 0.5 + f) * ch;
  };
  const stepX = Math.max(1, Math.ceil(nx / 8));
  xValues.forEach((v, i) => {
    if (i % stepX === 0) out.push(`<text x='${m.l + (i + 0.5) * cw}' y='${H - m.b + 16}' text-anchor='middle' font-size='11' ${FONT}>${fmt(v)}</text>`);
  });
  const stepY = Math.max(1, Math.ceil(ny / 8));
  yValues.forEach((v, j) => {
    if (j % stepY === 0) out.push(`<text x='${m.l - 6}' y='${H - m.b - (j + 0.5) * ch + 4}' text-anchor='end' font-size='11' ${FONT}>${fmt(v)}</text>`);
  });
  (options.curves ?? []).forEach((c, k) => {
    const pts = c.x.map((x, i) => [x, c.y[i]!] as const).filter(([x, y]) => Number.isFinite(y) && x >= xValues[0]! && x <= xValues[nx - 1]! && y >= yValues[0]! && y <= yValues[ny - 1]!);
    if (pts.length > 1) out.push(`<polyline fill='none' stroke='${k === 0 ? 'white' : PALETTE[k % PALETTE.length]}' stroke-width='2.5' stroke-dasharray='6 3' points='${pts.map(([x, y]) => `${xAt(x).toFixed(1)},${yAt(y).toFixed(1)}`).join(' ')}'/>`);
    out.push(`<text x='${W - m.r + 12}' y='${H - m.b - 20 * k}' font-size='11' ${FONT}>--- ${esc(c.name)}</text>`);
  });
  // colour bar
  for (let s = 0; s < 20; s++) out.push(`<rect x='${W - m.r + 15}' y='${m.t + (19 - s) * 10}' width='16' height='10.5' fill='${color(s / 19)}'/>`);
  out.push(`<text x='${W - m.r + 36}' y='${m.t + 10}' font-size='11' ${FONT}>1</text><text x='${W - m.r + 36}' y='${m.t + 200}' font-size='11' ${FONT}>0</text>`);
  if (options.title) out.push(`<text x='${(m.l + W - m.r) / 2}' y='24' text-anchor='middle' font-size='15' ${FONT}>${esc(options.title)}</text>`);
  if (options.xLabel) out.push(`<text x='${(m.l + W - m.r) / 2}' y='${H - 14}' text-anchor='middle' font-size='13' ${FONT}>${esc(options.xLabel)}</text>`);
  if (options.yLabel) out.push(`<text transform='translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)' text-anchor='middle' font-size='13' ${FONT}>${esc(options.yLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Renders SVG to PNG bytes with resvg and the system fonts. The PNG is compact: RGB (gray when
 * every pixel is gray) without the alpha channel, at the best deflate level with adaptive row
 * filters; resvg's own encoder writes RGBA at a fast setting, several times larger.
 */
export function svgToPng(svg: string): Buffer {
  const require = createRequire(import.meta.url);
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const r = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' });
  const img = r.render();
  const rgba = img.pixels;
  let gray = true;
  for (let i = 0; i < rgba.length && gray; i += 4) gray = rgba[i] === rgba[i + 1] && rgba[i] === rgba[i + 2];
  const png = new PNG({ width: img.width, height: img.height });
  rgba.copy(png.data);
  return PNG.sync.write(png, { colorType: gray ? 0 : 2, inputColorType: 6, inputHasAlpha: true, deflateLevel: 9, filterType: -1 });
}

/** Writes an SVG figure as .svg, or rendered as .png, by the file extension. */
export function writeFigure(path: string, svg: string): void {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') writeFileSync(path, svg);
  else if (ext === '.png') writeFileSync(path, svgToPng(svg));
  else throw new InvalidArgumentError('writeFigure', 'path', 'a .svg or .png file', path);
}
