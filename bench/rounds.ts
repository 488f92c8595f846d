/**
 * Interleaved rounds: each contender measured once per round, rounds one after another, so every contender
 * sees each phase of a noisy machine. Shared by the benchmarks; they report medians.
 */
export async function interleavedRounds<C extends { name: string }, R>(
  rounds: number,
  contenders: readonly C[],
  measure: (contender: C) => Promise<R>,
): Promise<Map<string, R[]>> {
  const results = new Map<string, R[]>(contenders.map((c) => [c.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const c of contenders) {
      process.stdout.write(`round ${round}/${rounds}: ${c.name}…\n`);
      results.get(c.name)?.push(await measure(c));
    }
  }
  return results;
}

export const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
