import { env, type Env } from "@/lib/config/env";
import type { DeploymentProvider, ModelTier } from "./deployments";
import type { DeploymentRuntime } from "./gateway";
import { getGateway } from "./registry";

/**
 * What the admin console's Models page shows: each deployment of the gateway as configured, with
 * its breaker, load and recent health, as this server process sees it (breaker state is shared
 * when a shared breaker store is installed; in-flight counts, queues and statistics are this
 * process's). Never carries an API key: only the name of the variable that holds it.
 */
export interface DeploymentStatus {
  id: string;
  label: string;
  provider: DeploymentProvider;
  model: string;
  /** The base URL without credentials, query or fragment; null for OpenAI's default and the offline model. */
  baseURL: string | null;
  /** The environment variable the key is read from (never its value). */
  apiKeyEnv: string | null;
  tiers: ModelTier[];
  priority: number;
  weight: number;
  maxConcurrency: number | null;
  rpm: number | null;
  tpm: number | null;
  /** Why the deployment cannot be used at all (its breaker is held open), or null. */
  misconfigured: string | null;
  breaker: {
    state: "closed" | "open" | "half-open";
    /** ISO time until which no call goes to the deployment (open), or when it did (half-open). */
    openUntil: string | null;
    reason: string | null;
  };
  /** Attempts running on this deployment now. */
  inFlight: number;
  /** This process's share of maxConcurrency, or null when the deployment has no limit. */
  queue: { inFlight: number; depth: number; limit: number } | null;
  /** The last `windowMinutes`: calls, the share that failed (0..1) and the 95th percentile latency. */
  stats: { calls: number; errorRate: number; p95Ms: number | null };
}

export interface GatewayStatus {
  generatedAt: string;
  routing: Env["MODEL_ROUTING"];
  windowMinutes: number;
  deployments: DeploymentStatus[];
}

/** The window RollingStats summarises (lib/models/rolling-stats.ts). */
const WINDOW_MINUTES = 15;

export async function describeGateway(e: Env = env(), now = Date.now()): Promise<GatewayStatus> {
  const gateway = await getGateway(e);
  const deployments = await Promise.all(gateway.runtimes.map((rt) => describeRuntime(rt, now)));
  deployments.sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
  return { generatedAt: new Date(now).toISOString(), routing: e.MODEL_ROUTING, windowMinutes: WINDOW_MINUTES, deployments };
}

async function describeRuntime(rt: DeploymentRuntime, now: number): Promise<DeploymentStatus> {
  const d = rt.deployment;
  const view = await rt.breaker.view();
  return {
    id: d.id,
    label: d.label,
    provider: d.provider,
    model: d.model,
    baseURL: d.baseURL ? displayURL(d.baseURL) : null,
    apiKeyEnv: d.apiKeyEnv ?? null,
    tiers: [...d.tiers],
    priority: d.priority,
    weight: d.weight,
    maxConcurrency: d.maxConcurrency ?? null,
    rpm: d.rpm ?? null,
    tpm: d.tpm ?? null,
    misconfigured: d.misconfigured ?? null,
    breaker: {
      state: view.state,
      openUntil: view.openUntil !== undefined ? new Date(view.openUntil).toISOString() : null,
      reason: view.reason ?? null,
    },
    inFlight: rt.inFlight,
    queue: rt.queue ? { inFlight: rt.queue.inFlight, depth: rt.queue.depth, limit: rt.queue.limit } : null,
    stats: rt.stats.summary(now),
  };
}

/** A base URL fit to show: no user name, password, query or fragment (any of which may hold a secret). */
export function displayURL(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(not a valid URL)";
  }
}
