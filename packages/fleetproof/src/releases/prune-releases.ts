/** Which cached releases to delete: all but the `keep` most recently used, never one an instance runs. */
export interface CachedRelease {
  readonly sha: string;
  /** Epoch ms of the last deploy that used it (or its build). */
  readonly lastUsedAt: number;
}

export function releasesToPrune(
  releases: readonly CachedRelease[],
  keep: number,
  inUse: ReadonlySet<string>,
): string[] {
  const newestFirst = [...releases].sort((a, b) => b.lastUsedAt - a.lastUsedAt || a.sha.localeCompare(b.sha));
  return newestFirst
    .slice(Math.max(0, keep))
    .filter((r) => !inUse.has(r.sha))
    .map((r) => r.sha);
}
