/**
 * A deployment's concurrency slots, handed out fairly across users: each user waits in their own
 * FIFO, and a freed slot goes to the next user in turn (deficit round-robin with one request as
 * the unit of cost), so one user with 50 requests waiting cannot starve a user with one.
 * Exact within one process; across processes each holds its share of the deployment's limit.
 */
export class QueueTimeoutError extends Error {
  constructor(
    readonly waitedMs: number,
    readonly depth: number,
  ) {
    super(`waited ${Math.round(waitedMs / 1000)} s for a free slot`);
    this.name = "QueueTimeoutError";
  }
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

export class FairQueue {
  private running = 0;
  private waiting = 0;
  /** Users with someone waiting, in turn order (a Map keeps insertion order). */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.running;
  }

  get depth(): number {
    return this.waiting;
  }

  /** Resolves with a release function once a slot is free; rejects past `maxWaitMs` or on abort. */
  acquire(key: string, opts: { maxWaitMs: number; signal?: AbortSignal }): Promise<() => void> {
    if (this.running < this.limit && this.waiting === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener("abort", onAbort);
        },
      };
      const leave = (err: unknown) => {
        const q = this.queues.get(key);
        const i = q?.indexOf(waiter) ?? -1;
        if (q && i >= 0) {
          q.splice(i, 1);
          this.waiting--;
          if (q.length === 0) this.queues.delete(key);
        }
        waiter.cleanup();
        reject(err);
      };
      const onAbort = () => leave(opts.signal?.reason);
      const timer = setTimeout(() => leave(new QueueTimeoutError(Date.now() - started, this.waiting)), opts.maxWaitMs);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      const q = this.queues.get(key);
      if (q) q.push(waiter);
      else this.queues.set(key, [waiter]);
      this.waiting++;
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.dispatch();
    };
  }

  private dispatch(): void {
    while (this.running < this.limit && this.waiting > 0) {
      const [key, q] = this.queues.entries().next().value as [string, Waiter[]];
      const waiter = q.shift()!;
      this.waiting--;
      // This user goes to the back of the line; the next user is served next.
      this.queues.delete(key);
      if (q.length > 0) this.queues.set(key, q);
      waiter.cleanup();
      this.running++;
      waiter.resolve(this.releaser());
    }
  }
}
