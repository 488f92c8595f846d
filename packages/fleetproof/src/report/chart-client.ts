// The package compiles without the DOM library: declare the little of it this module uses.
interface ChartElement {
  clientWidth: number;
  id: string;
  className: string;
  appendChild(child: ChartElement): void;
  remove(): void;
}
declare const document: {
  getElementById(id: string): ChartElement | null;
  createElement(tag: string): ChartElement;
};
/** The part of a uPlot instance the board uses: canvas pixels for the overlays, setData for live updates. */
interface Plot {
  ctx: {
    save(): void;
    restore(): void;
    fillRect(x: number, y: number, w: number, h: number): void;
    fillText(text: string, x: number, y: number): void;
    measureText(text: string): { width: number };
    beginPath(): void;
    moveTo(x: number, y: number): void;
    lineTo(x: number, y: number): void;
    stroke(): void;
    setLineDash(segments: number[]): void;
    fillStyle: string;
    strokeStyle: string;
    lineWidth: number;
    font: string;
    textAlign: string;
    textBaseline: string;
  };
  bbox: { top: number; height: number; left: number; width: number };
  valToPos(value: number, scale: string, canvasPixels: boolean): number;
  setData(data: unknown[]): void;
  setSize(size: { width: number; height: number }): void;
  destroy(): void;
}

/** A chart as the board draws it (chart-specs.ts's ChartSpec, restated: this module must stand alone). */
export interface BoardChart {
  id: string;
  title: string;
  unit: string;
  x: number[];
  series: { label: string; values: (number | null)[]; color: string; dash?: boolean }[];
  spans?: { label: string; from: number; to: number }[];
  marks?: { t: number; label: string; kind: string }[];
}

/**
 * A chart's overlays, drawn after its series (uPlot's draw hook, canvas pixels): fault spans shaded with their
 * label, marked events as dashed vertical lines, labels stacked up to three deep where lines crowd.
 */
export function drawOverlays(u: Plot, spec: BoardChart): void {
  const MARK_COLORS: Record<string, string> = {
    scale: '#7c3aed',
    health: '#dc2626',
    refresh: '#0891b2',
    instance: '#d97706',
  };
  const { ctx, bbox } = u;
  const dpr = (globalThis as { devicePixelRatio?: number }).devicePixelRatio ?? 1;
  ctx.save();
  ctx.font = `${Math.round(11 * dpr)}px sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  // A live chart shows a window of the run: what falls outside the plot area is not drawn.
  const left = bbox.left;
  const right = bbox.left + bbox.width;
  for (const span of spec.spans ?? []) {
    const x0 = Math.max(left, u.valToPos(span.from, 'x', true));
    const x1 = Math.min(right, Math.max(x0 + 2, u.valToPos(span.to, 'x', true)));
    if (x1 <= x0) continue;
    ctx.fillStyle = 'rgba(220, 38, 38, 0.14)';
    ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    ctx.fillStyle = 'rgba(153, 27, 27, 0.9)';
    ctx.fillText(span.label, x0 + 3 * dpr, bbox.top + 3 * dpr);
  }
  // Labels only where they do not overlap the previous one; every line is drawn.
  let lastLabelX = Number.NEGATIVE_INFINITY;
  let row = 0;
  for (const mark of spec.marks ?? []) {
    const x = u.valToPos(mark.t, 'x', true);
    if (!Number.isFinite(x) || x < left || x > right) continue;
    const colour = MARK_COLORS[mark.kind] ?? '#4b5563';
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    row = x - lastLabelX < 90 * dpr ? row + 1 : 0;
    if (row < 3) {
      ctx.fillStyle = colour;
      // Near the right edge the label goes on the line's left, so it is not cut off.
      const flip = x + 3 * dpr + ctx.measureText(mark.label).width > right;
      ctx.textAlign = flip ? 'right' : 'left';
      ctx.fillText(mark.label, flip ? x - 3 * dpr : x + 3 * dpr, bbox.top + (18 + 13 * row) * dpr);
      if (row === 0) lastLabelX = x;
    }
  }
  ctx.setLineDash([]);
  ctx.restore();
}

/**
 * The one chart module of the HTML report and the live dashboard. It runs in the page (chartScript inlines
 * it and drawOverlays with Function.prototype.toString, so neither may use anything else from this module's
 * scope): `render` draws each
 * chart with uPlot into the element of its id (created in `container` when the page has none), and on a
 * later call updates it in place (new data, spans and marks) unless its series changed, when it is redrawn.
 * Fault spans are shaded and marked events are vertical lines, both on the chart's own time axis.
 */
export function chartBoard(uPlotCtor: new (options: object, data: unknown[], target: ChartElement) => Plot): {
  render(specs: BoardChart[], container?: ChartElement): void;
} {
  const drawn = new Map<string, { plot: Plot; key: string; spec: BoardChart }>();
  const create = (spec: BoardChart, target: ChartElement) => {
    const entry = { spec, key: '', plot: undefined as unknown as Plot };
    entry.plot = new uPlotCtor(
      {
        title: spec.title,
        width: widthOf(target),
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: 'seconds from the run’s start' }, { label: spec.unit, size: 60 }],
        hooks: { draw: [(u: Plot) => drawOverlays(u, entry.spec)] },
        series: [
          { label: 's' },
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            dash: s.dash ? [6, 4] : undefined,
            spanGaps: false,
          })),
        ],
      },
      [spec.x, ...spec.series.map((s) => s.values)],
      target,
    );
    return entry;
  };
  const widthOf = (target: ChartElement) => Math.max(320, Math.min(target.clientWidth || 900, 1100));
  (globalThis as { addEventListener?: (type: string, listener: () => void) => void }).addEventListener?.(
    'resize',
    () => {
      for (const [id, entry] of drawn) {
        const target = document.getElementById(id);
        if (target) entry.plot.setSize({ width: widthOf(target), height: 220 });
      }
    },
  );
  return {
    render(specs, container) {
      // Every new chart's element first, so each plot takes its width from the grid as it will be.
      if (container)
        for (const spec of specs) {
          if (document.getElementById(spec.id)) continue;
          const target = document.createElement('div');
          target.id = spec.id;
          target.className = 'chart';
          container.appendChild(target);
        }
      for (const spec of specs) {
        const key = spec.series.map((s) => s.label).join('\u0000');
        const known = drawn.get(spec.id);
        if (known && known.key === key) {
          known.spec = spec;
          known.plot.setData([spec.x, ...spec.series.map((s) => s.values)]);
          continue;
        }
        known?.plot.destroy();
        const target = document.getElementById(spec.id);
        if (!target) continue;
        const entry = create(spec, target);
        entry.key = key;
        drawn.set(spec.id, entry);
      }
      // A page that follows runs (prove) drops the charts the new run does not have.
      if (!container) return;
      const ids = new Set(specs.map((s) => s.id));
      for (const [id, entry] of drawn) {
        if (ids.has(id)) continue;
        entry.plot.destroy();
        document.getElementById(id)?.remove();
        drawn.delete(id);
      }
    },
  };
}

/** The chart module as page script: both functions, for a <script> element after uPlot's. */
export function chartScript(): string {
  return `${drawOverlays.toString()}\n${chartBoard.toString()}`;
}
