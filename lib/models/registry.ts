import type { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { env, type Env } from "@/lib/config/env";
import { logger } from "@/lib/observability/logger";
import { setScrapeSource } from "@/lib/observability/metrics";
import { DeploymentBreaker, MemoryBreakerStore, type BreakerStore } from "./breaker";
import { coalesceTextDeltas } from "./coalesce-text";
import { loadDeployments, unusableTiers, type Deployment, type DeploymentProvider, type ModelTier } from "./deployments";
import { FairQueue } from "./fair-queue";
import { Gateway, type GatewayCall } from "./gateway";
import { createOfflineModel, OFFLINE_MODEL_LABEL } from "./offline-model";
import { MemoryResponseCache, type ResponseCache } from "./response-cache";
import { RollingStats } from "./rolling-stats";
import { UsageWindow } from "./usage-window";

/**
 * The one seam that picks a model (ARCHITECTURE rule 6). Callers ask for a tier and get an AI SDK
 * model already wrapped by the gateway (lib/models/gateway.ts), so chat, agents and the /v1 door
 * get timeouts, retries, fallbacks, breakers, fair queuing and the user-scoped cache without
 * knowing. Where models run comes from lib/models/deployments.ts.
 */
export type { ModelTier } from "./deployments";
export type ProviderKind = DeploymentProvider;

export interface ModelChoice {
  model: LanguageModelV4;
  provider: ProviderKind;
  /** The tier's first-choice deployment's model (the one that answers unless it fails). */
  modelId: string;
  /** What the UI shows next to a reply before it is known which deployment answered. */
  label: string;
  tier: ModelTier;
}

interface Built {
  env: Env;
  gateway: Gateway;
  deployments: Deployment[];
}

const holder = globalThis as typeof globalThis & {
  __enclaveGateway?: Built;
  __enclaveOpenAI?: Map<string, ReturnType<typeof createOpenAI>>;
  __enclaveBreakerStore?: { shared: BreakerStore | null; local: BreakerStore };
  __enclaveResponseCache?: ResponseCache;
};

/** Where breaker state lives: this process by default; Redis when a shared store is installed. */
export function installSharedBreakerStore(store: BreakerStore | null): void {
  breakerStores().shared = store;
}

function breakerStores(): { shared: BreakerStore | null; local: BreakerStore } {
  return (holder.__enclaveBreakerStore ??= { shared: null, local: new MemoryBreakerStore() });
}

/** The user-scoped response cache (lib/privacy purges a user's entries through it). */
export function responseCache(): ResponseCache {
  return (holder.__enclaveResponseCache ??= new MemoryResponseCache());
}

export function installResponseCache(cache: ResponseCache): void {
  holder.__enclaveResponseCache = cache;
}

// @ai-sdk/openai builds a default provider from process.env when it is first imported, and an
// empty OPENAI_BASE_URL (which we treat as unset) makes that throw. Load it only when a provider
// is configured, with the settings passed explicitly.
async function providerModel(d: Deployment, e: Env): Promise<LanguageModelV4> {
  if (d.provider === "offline") return createOfflineModel({ modelId: d.model, chunkDelayMs: e.OFFLINE_MODEL_DELAY_MS });
  if (process.env.OPENAI_BASE_URL === "") delete process.env.OPENAI_BASE_URL;
  const { createOpenAI } = await import("@ai-sdk/openai");
  const key = `${d.provider}|${d.baseURL ?? ""}|${d.apiKey ?? ""}`;
  const cache = (holder.__enclaveOpenAI ??= new Map());
  let openai = cache.get(key);
  if (!openai) {
    openai = createOpenAI({
      baseURL: d.baseURL ?? "https://api.openai.com/v1",
      // Local servers usually accept any key; the SDK insists on one being present.
      apiKey: d.apiKey ?? "not-needed",
      name: d.provider,
    });
    cache.set(key, openai);
  }
  const model = d.provider === "openai-compatible" ? openai.chat(d.model) : openai(d.model);
  return coalesceTextDeltas(model, e.STREAM_COALESCE_MS);
}

function instanceCount(e: Env): number {
  if (e.MODEL_INSTANCE_COUNT) return e.MODEL_INSTANCE_COUNT;
  const web = Number(process.env.WEB_CONCURRENCY);
  return e.DATABASE_URL && Number.isFinite(web) && web > 1 ? Math.floor(web) : 1;
}

/** The gateway for this environment, built once per configuration. */
export async function getGateway(e: Env = env()): Promise<Gateway> {
  // One gateway per parsed configuration: in production that is one for the process; tests that
  // re-read the environment get a fresh one, with fresh local breaker state.
  if (holder.__enclaveGateway?.env === e) return holder.__enclaveGateway.gateway;
  const deployments = loadDeployments(e);
  const stores = breakerStores();
  stores.local = new MemoryBreakerStore();
  const share = instanceCount(e);
  const runtimes = await Promise.all(
    deployments.map(async (d) => {
      const breaker = new DeploymentBreaker(d.id, () => stores.shared ?? stores.local, stores.local, {
        failureThreshold: e.MODEL_BREAKER_FAILURES,
        cooldownMs: e.MODEL_BREAKER_COOLDOWN_MS,
        maxCooldownMs: Math.max(e.MODEL_BREAKER_COOLDOWN_MS, 5 * 60_000),
        probeTtlMs: Math.min(e.MODEL_TIMEOUT_MS, 60_000),
      });
      // A deployment that cannot work starts with its breaker held open, and says why.
      if (d.misconfigured) await breaker.isolate(`misconfigured: ${d.misconfigured}`);
      return {
        deployment: d,
        model: await providerModel(d, e),
        breaker,
        queue: d.maxConcurrency ? new FairQueue(Math.max(1, Math.floor(d.maxConcurrency / share))) : null,
        window:
          d.rpm || d.tpm
            ? new UsageWindow(d.rpm ? Math.max(1, Math.floor(d.rpm / share)) : undefined, d.tpm ? Math.max(1, Math.floor(d.tpm / share)) : undefined)
            : null,
        inFlight: 0,
        stats: new RollingStats(),
      };
    }),
  );
  const gateway = new Gateway(runtimes, {
    routing: e.MODEL_ROUTING,
    firstTokenTimeoutMs: e.MODEL_FIRST_TOKEN_TIMEOUT_MS,
    maxRetries: e.MODEL_MAX_RETRIES,
    queueMaxWaitMs: e.MODEL_QUEUE_MAX_WAIT_MS,
    cache: responseCache(),
    cacheTtlMs: e.MODEL_CACHE_TTL_S * 1000,
  });
  holder.__enclaveGateway = { env: e, gateway, deployments };
  // Each deployment's fair queue is scraped as enclave_queue_pending{queue="model:<id>"}.
  for (const rt of runtimes) {
    const queue = rt.queue;
    if (queue) setScrapeSource({ queue: `model:${rt.deployment.id}`, read: () => queue.depth });
  }
  return gateway;
}

/**
 * Checked at start-up: every misconfigured deployment is reported, and the app refuses to start
 * only when a tier has no usable deployment at all.
 */
export function checkDeployments(e: Env = env()): Deployment[] {
  const deployments = loadDeployments(e);
  for (const d of deployments.filter((x) => x.misconfigured)) {
    logger.warn({ component: "models", deployment: d.id }, `model deployment ${d.id} cannot be used: ${d.misconfigured}; its breaker starts open`);
  }
  const missing = unusableTiers(deployments);
  if (missing.length > 0) throw new Error(`no usable model deployment for the ${missing.join(" and ")} tier (check MODEL_DEPLOYMENTS and the key variables it names)`);
  return deployments;
}

const SYSTEM_CALL = { orgId: "system", userId: "system" };

export async function getLanguageModel(tier: ModelTier, call: Partial<GatewayCall> = {}, e: Env = env()): Promise<ModelChoice> {
  const gateway = await getGateway(e);
  const primary = gateway.deploymentsFor(tier).slice().sort((a, b) => a.deployment.priority - b.deployment.priority)[0]!.deployment;
  const model = gateway.model(tier, {
    ...SYSTEM_CALL,
    deadline: Date.now() + e.MODEL_TIMEOUT_MS,
    ...call,
    cache: call.cache ?? e.MODEL_CACHE_TIERS.includes(tier),
  });
  return { model, provider: primary.provider, modelId: primary.model, label: primary.label, tier };
}

/** For the UI badge and /api/health: what answers, without building a model. */
export function describeModels(e: Env = env()): { provider: ProviderKind; label: string; small: string; large: string } {
  const deployments = loadDeployments(e);
  const first = (tier: ModelTier) => deployments.filter((d) => d.tiers.includes(tier)).sort((a, b) => a.priority - b.priority)[0];
  const large = first("large");
  return {
    provider: large?.provider ?? "offline",
    label: large?.provider === "offline" ? OFFLINE_MODEL_LABEL : (large?.label ?? OFFLINE_MODEL_LABEL),
    small: first("small")?.model ?? "",
    large: large?.model ?? "",
  };
}

/** Kept for callers that only need the provider kind of the simple form. */
export function providerKind(e: Env = env()): ProviderKind {
  return describeModels(e).provider;
}
