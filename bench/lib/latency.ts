// Latency samples (ms) → percentiles. Every sample is kept (a few hundred thousand numbers at most), so
// percentiles are exact rather than histogram buckets.

export class LatencyRecorder {
  private samples = new Float64Array(1 << 14);
  private n = 0;

  record(ms: number): void {
    if (this.n === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.n).sort();
    const at = (p: number) => (this.n === 0 ? 0 : sorted[Math.min(this.n - 1, Math.ceil((p / 100) * this.n) - 1)]!);
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += sorted[i]!;
    return {
      count: this.n,
      mean: round(this.n ? sum / this.n : 0),
      p50: round(at(50)),
      p95: round(at(95)),
      p99: round(at(99)),
      max: round(this.n ? sorted[this.n - 1]! : 0),
    };
  }
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
