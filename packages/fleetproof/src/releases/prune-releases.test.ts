import { describe, expect, it } from 'vitest';
import { releasesToPrune } from './prune-releases.js';

const r = (sha: string, lastUsedAt: number) => ({ sha, lastUsedAt });

describe('releasesToPrune', () => {
  it.each([
    { name: 'fewer than keep: none', releases: [r('a', 1), r('b', 2)], keep: 5, inUse: [], pruned: [] },
    {
      name: 'the oldest beyond keep',
      releases: [r('a', 1), r('b', 3), r('c', 2)],
      keep: 2,
      inUse: [],
      pruned: ['a'],
    },
    {
      name: 'never one in use',
      releases: [r('a', 1), r('b', 3), r('c', 2)],
      keep: 1,
      inUse: ['a'],
      pruned: ['c'],
    },
    {
      name: 'keep 0 prunes all but those in use',
      releases: [r('a', 1), r('b', 2)],
      keep: 0,
      inUse: ['b'],
      pruned: ['a'],
    },
    {
      name: 'ties broken by sha, stable',
      releases: [r('b', 5), r('a', 5), r('c', 5)],
      keep: 2,
      inUse: [],
      pruned: ['c'],
    },
  ])('$name', ({ releases, keep, inUse, pruned }) => {
    expect(releasesToPrune(releases, keep, new Set(inUse))).toEqual(pruned);
  });
});
