import { describe, expect, it } from 'vitest';
import { inSegment, parseSegment, segmentShare } from './segments.js';

describe('segments', () => {
  it.each([
    [10, 3, [4, 3, 3]],
    [2, 3, [1, 1, 0]],
    [0, 2, [0, 0]],
    [7, 1, [7]],
    [100, 7, [15, 15, 14, 14, 14, 14, 14]],
  ])('%i items in %i parts: %o, adding up to the whole', (total, count, shares) => {
    const got = Array.from({ length: count }, (_, index) => segmentShare(total, { index, count }));
    expect(got).toEqual(shares);
    expect(got.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('a ramp keeps each VU in one part as it climbs and falls: the parts add up at every count', () => {
    for (let vus = 0; vus <= 50; vus++) {
      const parts = [0, 1, 2, 3].map((index) => segmentShare(vus, { index, count: 4 }));
      expect(parts.reduce((a, b) => a + b, 0)).toBe(vus);
    }
  });

  it('every item is in exactly one part', () => {
    for (let n = 0; n < 30; n++)
      expect([0, 1, 2].filter((index) => inSegment(n, { index, count: 3 }))).toHaveLength(1);
  });

  it.each([
    ['2/4', { index: 1, count: 4 }],
    [' 1/1 ', { index: 0, count: 1 }],
  ])('parses %s', (text, segment) => {
    expect(parseSegment(text)).toEqual(segment);
  });

  it.each(['0/4', '5/4', '1/0', '2', 'a/b', '1/1001'])('refuses %s, saying what it expected', (text) => {
    expect(() => parseSegment(text)).toThrow(
      `--segment: got ${JSON.stringify(text)}, expected i/n with 1 ≤ i ≤ n ≤ 1000 (such as 2/4)`,
    );
  });
});
