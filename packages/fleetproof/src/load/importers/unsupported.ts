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
