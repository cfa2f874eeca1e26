import type { Redis } from "ioredis";
import { logger } from "@/lib/observability/logger";

/**
 * While Redis is unreachable, limits are enforced by each instance alone (the insurance limiter,
 * in-process concurrency leases). That is said once when it starts and once when Redis is back
 * and limits are shared again, never once per request.
 */
export class RedisHealth {
  private degraded = false;

  constructor(
    readonly client: Redis | null,
    private readonly where = "limits",
  ) {
    client?.on("ready", () => this.recovered());
  }

  get isDegraded(): boolean {
    return this.degraded;
  }

  /** A command failed or the insurance limiter answered: this instance is on its own. */
  fellBack(err?: unknown): void {
    if (this.degraded || !this.client) return;
    this.degraded = true;
    logger.warn(
      { component: this.where, err: err instanceof Error ? err.message : err === undefined ? undefined : String(err) },
      "Redis unreachable: rate limits and concurrency caps are enforced by this instance alone (insurance limiter) until it is back",
    );
  }

  /** A shared command answered: after a fallback that was a timeout (no reconnect follows), limits are shared again. */
  succeeded(): void {
    if (this.degraded) this.recovered();
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    logger.info({ component: this.where }, "Redis reachable again: rate limits and concurrency caps are shared across instances again");
  }
}
