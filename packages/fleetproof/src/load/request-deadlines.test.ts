import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Expiring, RequestDeadlines } from './request-deadlines.js';

/** A request waiting for its deadline; `expired` records when (fake time) it fired. */
function request(name: string, deadline: number, log: string[], clock: () => number): Expiring {
  return {
    deadline,
    prev: undefined,
    next: undefined,
    ownTimer: undefined,
    listed: false,
    expire: () => log.push(`${name}@${clock()}`),
  };
}

describe('RequestDeadlines: every deadline fires on time, completed requests never', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());
  const clock = () => Date.now();

  it.each([
    {
      what: 'in order: each fires at its deadline, a removed one never',
      add: [
        ['a', 100],
        ['b', 150],
        ['c', 200],
      ] as const,
      remove: ['b'],
      fired: ['a@100', 'c@200'],
    },
    {
      what: 'the first removed: the timer set for it re-arms for the next',
      add: [
        ['a', 100],
        ['b', 300],
      ] as const,
      remove: ['a'],
      fired: ['b@300'],
    },
    {
      what: 'out of order (a late arrival timed from its intended start): its own timer, still on time',
      add: [
        ['a', 500],
        ['late', 120],
      ] as const,
      remove: [],
      fired: ['late@120', 'a@500'],
    },
    {
      what: 'out of order by less than a millisecond: joins the list, fires with the one before it',
      add: [
        ['a', 200],
        ['b', 199.5],
      ] as const,
      remove: [],
      fired: ['a@200', 'b@200'],
    },
    {
      what: 'the same deadline twice: both fire',
      add: [
        ['a', 100],
        ['b', 100],
      ] as const,
      remove: [],
      fired: ['a@100', 'b@100'],
    },
    {
      what: 'all removed: nothing fires',
      add: [
        ['a', 100],
        ['late', 50],
      ] as const,
      remove: ['a', 'late'],
      fired: [],
    },
  ])('$what', ({ add, remove, fired }) => {
    const log: string[] = [];
    const deadlines = new RequestDeadlines(clock);
    const entries = new Map(add.map(([name, at]) => [name, request(name, at, log, clock)]));
    for (const entry of entries.values()) deadlines.add(entry);
    for (const name of remove) deadlines.remove(entries.get(name) as Expiring);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(fired);
  });

  it('a request added after the list emptied is timed again', () => {
    const log: string[] = [];
    const deadlines = new RequestDeadlines(clock);
    deadlines.add(request('a', 100, log, clock));
    vi.advanceTimersByTime(200);
    deadlines.add(request('b', 400, log, clock));
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['a@100', 'b@400']);
  });

  it('close stops the timer', () => {
    const log: string[] = [];
    const deadlines = new RequestDeadlines(clock);
    deadlines.add(request('a', 100, log, clock));
    deadlines.close();
    vi.advanceTimersByTime(1000);
    expect(log).toEqual([]);
  });
});
