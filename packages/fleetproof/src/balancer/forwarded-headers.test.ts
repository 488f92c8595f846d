import { describe, expect, it } from 'vitest';
import { downstreamHeaders, newTraceId } from './forwarded-headers.js';

const raw = (...pairs: string[]) => pairs;

describe('downstreamHeaders', () => {
  it('drops every hop-by-hop header whatever its case, keeps the rest as sent, and reads Content-Length', () => {
    const kept = [
      ['Content-Type', 'text/plain'],
      ['Content-Length', '13'],
      ['X-Upstream', 'é'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ];
    const hopByHop = [
      ['Connection', 'keep-alive, X-Hop'],
      ['KEEP-ALIVE', 'timeout=5'],
      ['Transfer-Encoding', 'chunked'],
      ['te', 'trailers'],
      ['Trailer', 'X-Sum'],
      ['Upgrade', 'h2c'],
      ['Proxy-Connection', 'keep-alive'],
      ['Proxy-Authenticate', 'Basic'],
      ['proxy-authorization', 'Basic x'],
    ];
    // Interleaved, so the order of what is kept is checked too.
    const sent = kept.flatMap((pair, i) => [...pair, ...hopByHop.slice(i * 2, i * 2 + 2).flat()]);
    expect(sent).toHaveLength((kept.length + hopByHop.length) * 2);
    const out: string[] = [];
    expect(downstreamHeaders(raw(...sent), out)).toBe(13);
    expect(out).toEqual(kept.flat());
  });

  it('returns -1 for a missing or non-numeric Content-Length', () => {
    expect(downstreamHeaders(raw('Content-Type', 'text/plain'), [])).toBe(-1);
    expect(downstreamHeaders(raw('content-length', '1e3'), [])).toBe(-1);
    expect(downstreamHeaders(raw('content-length', ' 12'), [])).toBe(-1);
    expect(downstreamHeaders(raw('content-length', '0'), [])).toBe(0);
  });
});

describe('newTraceId', () => {
  it('is Root=1-<epoch seconds, 8 hex>-<24 random hex>, the seconds following the clock', () => {
    const a = newTraceId(1_700_000_000_123);
    const b = newTraceId(1_700_000_000_999);
    const c = newTraceId(1_700_000_001_000);
    expect(a).toMatch(/^Root=1-6553f100-[0-9a-f]{24}$/);
    expect(b.slice(0, 16)).toBe(a.slice(0, 16));
    expect(c).toMatch(/^Root=1-6553f101-[0-9a-f]{24}$/);
    expect(new Set([a, b, c]).size).toBe(3);
  });
});
