import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FleetError } from '../../errors.js';
import { type MergedLoad, mergeSeries, parseOutFile } from '../../load/merge-series.js';
import { bold, dim, line } from '../output.js';

/** `fleetproof load merge a.ndjson b.ndjson …`: segments' (or machines') runs as one summary. */
export function loadMergeCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
    strict: true,
  });
  const files = positionals.map((name) => {
    if (!existsSync(name))
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `merge: ${name}: no such file (expected a fleetproof load --out file)`,
      );
    return { name, seconds: parseOutFile(name, readFileSync(name, 'utf8')) };
  });
  const merged = mergeSeries(files);
  if (values.json) line(JSON.stringify(merged, null, 2));
  else line(formatMerged(merged));
  return 0;
}

const ms = (v: number) => `${v.toFixed(2)}ms`;

export function formatMerged(m: MergedLoad): string {
  const seconds = m.durationMs / 1000;
  const d = m.duration;
  const errors = Object.entries(m.errors)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `${bold('fleetproof load merge')} ${dim(`· ${m.files} file(s)${m.segments.length ? ` · segments ${m.segments.join(' ')}` : ''}`)}`,
    `  http_reqs..........: ${m.requests}   ${(m.requests / Math.max(seconds, 0.001)).toFixed(2)}/s`,
    `  http_req_failed....: ${((m.failed / Math.max(1, m.requests)) * 100).toFixed(2)}%   ${m.failed} of ${m.requests}${errors ? ` (${errors})` : ''}`,
    `  http_req_duration..: avg=${ms(d.avg)} min=${ms(d.min)} med=${ms(d.med)} max=${ms(d.max)} p(90)=${ms(d.p90)} p(95)=${ms(d.p95)} p(99)=${ms(d.p99)}`,
    `  dropped_iterations.: ${m.dropped}`,
    `  vus_max............: ${m.vusMax}   ${dim('(each second’s VUs summed over the runs)')}`,
    `  duration...........: ${seconds.toFixed(1)} s   ${dim('(the longest run)')}`,
    dim('  percentiles from the runs’ HDR histograms added together, never from their percentiles'),
  ].join('\n');
}
