// The package compiles without the DOM library: declare the little of it this function uses.
interface ChartElement {
  clientWidth: number;
}
declare const document: { getElementById(id: string): ChartElement | null };
/** The part of a uPlot instance the fault shading draws with (canvas pixels). */
interface ShadingPlot {
  ctx: {
    save(): void;
    restore(): void;
    fillRect(x: number, y: number, w: number, h: number): void;
    fillText(text: string, x: number, y: number): void;
    fillStyle: string;
    font: string;
    textAlign: string;
    textBaseline: string;
  };
  bbox: { top: number; height: number };
  valToPos(value: number, scale: string, canvasPixels: boolean): number;
}

/**
 * Runs in the report page (inlined with Function.prototype.toString, so it must not use anything from this
 * module's scope). Draws every chart spec with uPlot into the element of the same id.
 */
export function drawCharts(
  specs: {
    id: string;
    title: string;
    unit: string;
    x: number[];
    series: { label: string; values: (number | null)[]; color: string; dash?: boolean }[];
    spans?: { label: string; from: number; to: number }[];
  }[],
  uPlotCtor: new (options: object, data: unknown[], target: ChartElement) => unknown,
): void {
  for (const spec of specs) {
    const target = document.getElementById(spec.id);
    if (!target) continue;
    const width = Math.max(320, Math.min(target.clientWidth || 900, 1100));
    new uPlotCtor(
      {
        title: spec.title,
        width,
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: 'seconds from the run’s start' }, { label: spec.unit, size: 60 }],
        // Faults as shaded spans with their name, over the plot, on the same time axis.
        hooks: {
          draw: [
            (u: ShadingPlot) => {
              const { ctx, bbox } = u;
              const dpr = (globalThis as { devicePixelRatio?: number }).devicePixelRatio ?? 1;
              for (const span of spec.spans ?? []) {
                const x0 = u.valToPos(span.from, 'x', true);
                const x1 = Math.max(x0 + 2, u.valToPos(span.to, 'x', true));
                ctx.save();
                ctx.fillStyle = 'rgba(220, 38, 38, 0.14)';
                ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
                ctx.fillStyle = 'rgba(153, 27, 27, 0.9)';
                ctx.font = `${Math.round(11 * dpr)}px sans-serif`;
                ctx.textAlign = 'left';
                ctx.textBaseline = 'top';
                ctx.fillText(span.label, x0 + 3 * dpr, bbox.top + 3 * dpr);
                ctx.restore();
              }
            },
          ],
        },
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
  }
}
