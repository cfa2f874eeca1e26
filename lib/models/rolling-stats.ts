/** A deployment's recent calls (the last 15 minutes, at most 10,000), for the admin view. */
export class RollingStats {
  private readonly samples: Array<{ at: number; ms: number; ok: boolean }> = [];

  constructor(
    private readonly windowMs = 15 * 60_000,
    private readonly max = 10_000,
  ) {}

  record(ms: number, ok: boolean, at = Date.now()): void {
    this.samples.push({ at, ms, ok });
    if (this.samples.length > this.max) this.samples.splice(0, this.samples.length - this.max);
  }

  summary(now = Date.now()): { calls: number; errorRate: number; p95Ms: number | null } {
    const since = now - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < since) drop++;
    if (drop > 0) this.samples.splice(0, drop);
    const n = this.samples.length;
    if (n === 0) return { calls: 0, errorRate: 0, p95Ms: null };
    const errors = this.samples.filter((s) => !s.ok).length;
    const sorted = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    return { calls: n, errorRate: errors / n, p95Ms: sorted[Math.min(n - 1, Math.floor(0.95 * n))]! };
  }
}
