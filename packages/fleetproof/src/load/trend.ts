import hdr from 'hdr-histogram-js';

/** A k6 trend: durations in an HDR histogram (µs, 3 significant digits), read back in milliseconds. */
export class Trend {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.min(3_600_000_000, Math.round(ms * 1000))));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  percentileMs(p: number): number {
    return this.count === 0 ? 0 : this.histogram.getValueAtPercentile(p) / 1000;
  }

  stats(): TrendStats {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, avg: 0, min: 0, med: 0, max: 0, p90: 0, p95: 0, p99: 0 };
    return {
      count: h.totalCount,
      avg: h.mean / 1000,
      min: h.minNonZeroValue / 1000,
      med: h.getValueAtPercentile(50) / 1000,
      max: h.maxValue / 1000,
      p90: h.getValueAtPercentile(90) / 1000,
      p95: h.getValueAtPercentile(95) / 1000,
      p99: h.getValueAtPercentile(99) / 1000,
    };
  }

  reset(): void {
    this.histogram.reset();
  }

  /** Adds a histogram encoded() wrote (another second, another segment's): counts add, none is lost. */
  addEncoded(encoded: string): void {
    this.histogram.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
  }

  /** The histogram, compressed (HDR's base64 form): seconds merged later give exact percentiles of a window. */
  encoded(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }
}

/**
 * The percentile `p` (ms) of several encoded histograms merged: exact to the histograms' precision, where
 * the worst of their own percentiles would only bound it.
 */
export function mergedPercentileMs(encoded: readonly string[], p: number): number {
  const merged = hdr.build({ bitBucketSize: 32, autoResize: true, useWebAssembly: false });
  for (const e of encoded) merged.add(hdr.decodeFromCompressedBase64(e, 32, false));
  return merged.totalCount === 0 ? 0 : merged.getValueAtPercentile(p) / 1000;
}

export interface TrendStats {
  count: number;
  avg: number;
  min: number;
  med: number;
  max: number;
  p90: number;
  p95: number;
  p99: number;
}
