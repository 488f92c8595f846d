/** Importers stop on anything they do not support, naming it, rather than run a different test than written. */
export class UnsupportedInScript extends Error {
  constructor(source: string, what: string, hint = '') {
    super(
      `${source}: ${what} is not supported by fleetproof load${hint ? ` (${hint})` : ''}; see packages/fleetproof/README.md, "Load scripts"`,
    );
    this.name = 'UnsupportedInScript';
  }
}

export function rejectUnknownKeys(
  source: string,
  where: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new UnsupportedInScript(source, `${where}${where ? '.' : ''}${key}`);
  }
}

/** A script refused with every item fleetproof cannot run as the tool would, one per line. */
export class RefusedScript extends Error {
  constructor(source: string, tool: 'k6' | 'Artillery', items: string[], what = 'features') {
    super(
      `${source}: fleetproof cannot run ${items.length === 1 ? `this ${tool} ${what.replace(/s$/, '')}` : `these ${items.length} ${tool} ${what}`} as ${tool} would, so it refuses the script before sending a request:\n  ${items.join('\n  ')}\nsee packages/fleetproof/README.md, "Load scripts"`,
    );
    this.name = 'UnsupportedInScript';
  }
}
