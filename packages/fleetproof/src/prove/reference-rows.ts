import type { ReferenceRow } from '../config/proof-schema.js';
import { FleetError } from '../errors.js';
import type { FigureRow } from './types.js';

/**
 * Rows of someone else's figures (a field report's) from the config, in an experiment's columns; a
 * figure under a column the experiment does not have is an error, not a silently missing cell.
 */
export function referenceRows(
  columns: readonly string[],
  rows: readonly ReferenceRow[] | undefined,
): FigureRow[] {
  return (rows ?? []).map((row) => {
    const unknown = Object.keys(row.figures).filter((k) => !columns.includes(k));
    if (unknown.length > 0)
      throw new FleetError(
        'FLEET_ERR_CONFIG',
        `reference row "${row.label}": got column(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}, expected some of ${columns.map((c) => JSON.stringify(c)).join(', ')}`,
      );
    return { label: row.label, values: columns.map((c) => row.figures[c] ?? '—') };
  });
}
