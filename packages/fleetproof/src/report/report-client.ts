// The package compiles without the DOM library: declare the little of it this function uses.
interface ChartElement {
  clientWidth: number;
}
declare const document: { getElementById(id: string): ChartElement | null };

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
