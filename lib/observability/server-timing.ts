/**
 * Collects durations of the phases of one request and renders them as a Server-Timing header,
 * so the cost Enclave adds is visible in browser dev tools and in the benchmarks.
 */
export class ServerTiming {
  private readonly entries: Array<[string, number]> = [];

  add(name: string, ms: number): void {
    this.entries.push([name, ms]);
  }

  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - t0);
    }
  }

  header(): string {
    return this.entries.map(([n, ms]) => `${n};dur=${ms.toFixed(1)}`).join(", ");
  }
}
