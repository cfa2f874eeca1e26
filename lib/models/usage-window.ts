/**
 * A deployment's own requests-per-minute and tokens-per-minute limits (`rpm`, `tpm`), kept per
 * process over a sliding minute, each process holding its share like `maxConcurrency`. A
 * deployment at its limit is skipped (another serves the tier) or waited for like a rate limit.
 */
export class UsageWindow {
  private readonly requests: number[] = [];
  private readonly tokens: Array<{ at: number; n: number }> = [];

  constructor(
    readonly rpm: number | undefined,
    readonly tpm: number | undefined,
    private readonly windowMs = 60_000,
  ) {}

  /** When a call may go out: now (0) or the epoch ms when the window has room again. */
  nextFreeAt(now = Date.now()): number {
    this.prune(now);
    let at = 0;
    if (this.rpm !== undefined && this.requests.length >= this.rpm) at = Math.max(at, this.requests[this.requests.length - this.rpm]! + this.windowMs);
    if (this.tpm !== undefined) {
      let used = this.tokens.reduce((s, t) => s + t.n, 0);
      for (const t of this.tokens) {
        if (used < this.tpm) break;
        used -= t.n;
        at = Math.max(at, t.at + this.windowMs);
      }
    }
    return at;
  }

  recordRequest(now = Date.now()): void {
    if (this.rpm !== undefined) this.requests.push(now);
  }

  recordTokens(n: number, now = Date.now()): void {
    if (this.tpm !== undefined && n > 0) this.tokens.push({ at: now, n });
  }

  private prune(now: number): void {
    const since = now - this.windowMs;
    while (this.requests.length > 0 && this.requests[0]! <= since) this.requests.shift();
    while (this.tokens.length > 0 && this.tokens[0]!.at <= since) this.tokens.shift();
  }
}
