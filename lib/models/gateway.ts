import type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4Middleware, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { wrapLanguageModel } from "ai";
import { ExponentialBackoff, fullJitterGenerator, type IBackoff } from "cockatiel";
import type { DeploymentBreaker, BreakerTransition } from "./breaker";
import type { Deployment, ModelTier } from "./deployments";
import { QueueTimeoutError, type FairQueue } from "./fair-queue";
import { classifyFailure, GatewayError, type AttemptFailure } from "./failures";
import { cacheKey, type ResponseCache } from "./response-cache";
import { RollingStats } from "./rolling-stats";
import type { UsageWindow } from "./usage-window";

/**
 * The model gateway: one language model per tier that spreads calls over the tier's
 * deployments and survives their failures. Per attempt a first-token and a total timeout; failed
 * attempts classified (lib/models/failures) and retried with full-jitter backoff or after the
 * provider's Retry-After, or moved at once to another deployment; deployments tried by priority
 * (weighted random or least busy within one); a breaker per deployment; a fair queue per
 * deployment with a concurrency limit; a user-scoped cache for deterministic calls. Failing over
 * is transparent until the first token reaches the caller; after that a broken stream is the
 * caller's to handle (the reply is kept as interrupted).
 */
export interface GatewayCall {
  orgId: string;
  userId: string;
  /** Epoch ms by which the whole call, retries and waits included, must be over. */
  deadline: number;
  /** Serve and store deterministic calls (temperature 0, no tools) from the user's cache. */
  cache?: boolean;
  onEvent?: (e: GatewayEvent) => void;
  /**
   * Admission for each model call of a turn (lib/limits, lib/usage): asked before the call with
   * an estimate (it may wait, or throw an AppError to stop the call: a token limit or a budget
   * reached), told after it what the call really used, so the estimate is reconciled.
   */
  guard?: CallGuard;
}

export interface CallGuardEstimate {
  deploymentId: string;
  model: string;
  /** Prompt tokens, estimated from the prompt's text. */
  inputTokens: number;
  /** What is reserved for the reply (the call's maxOutputTokens, or a default). */
  outputTokens: number;
}

export interface CallGuardActual {
  deploymentId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cached: boolean;
}

export interface CallGuard {
  beforeCall(estimate: CallGuardEstimate): Promise<void>;
  afterCall(estimate: CallGuardEstimate, actual: CallGuardActual | null): void;
}

export type GatewayEvent =
  | {
      type: "attempt";
      deploymentId: string;
      provider: string;
      model: string;
      /** Which of the wrapped model's calls (a multi-step turn makes several) and which try of it. */
      call: number;
      attempt: number;
      startedAt: number;
      latencyMs: number;
      outcome: "success" | "failure";
      error?: string;
      status?: number;
      inputTokens?: number;
      outputTokens?: number;
      finishReason?: string;
    }
  | { type: "retry"; deploymentId: string; waitMs: number; reason: string }
  | { type: "fallback"; from: string; to: string; reason: string }
  | { type: "breaker"; deploymentId: string; state: BreakerTransition["state"]; reason: string }
  | { type: "queue"; deploymentId: string; waitedMs: number; depth: number }
  | { type: "cache_hit"; deploymentId: string; model: string }
  | { type: "answered"; deploymentId: string; model: string; label: string; fallback: boolean };

export interface DeploymentRuntime {
  deployment: Deployment;
  /** The provider's model for this deployment. */
  model: LanguageModelV4;
  breaker: DeploymentBreaker;
  queue: FairQueue | null;
  /** The deployment's rpm/tpm limits, when it has any. */
  window: UsageWindow | null;
  inFlight: number;
  stats: RollingStats;
}

export interface GatewayOptions {
  routing: "weighted" | "least-busy";
  firstTokenTimeoutMs: number;
  /** Retries on the same deployment after a retryable failure (5xx, network, timeout, 429). */
  maxRetries: number;
  queueMaxWaitMs: number;
  cache: ResponseCache | null;
  cacheTtlMs: number;
}

const CONTENT = new Set(["text-delta", "reasoning-delta", "tool-input-start", "tool-call", "file"]);
const MAX_ATTEMPTS = 10;
/** Reserved for the reply when a call sets no maxOutputTokens: a long answer, not the model's maximum. */
export const DEFAULT_OUTPUT_RESERVE = 1_024;
/** Characters per token for the estimate; real tokenizers average ~4 for English prose. */
const CHARS_PER_TOKEN = 4;

/**
 * What a call is expected to use, before it is made: the prompt's text (every message part and
 * the tool definitions) at ~4 characters a token, and the reply's reserve.
 */
export function estimateCall(d: Pick<Deployment, "id" | "model">, params: Pick<LanguageModelV4CallOptions, "prompt" | "maxOutputTokens" | "tools">): CallGuardEstimate {
  let chars = 0;
  for (const m of params.prompt) {
    if (typeof m.content === "string") {
      chars += m.content.length;
      continue;
    }
    for (const part of m.content as unknown as ReadonlyArray<Record<string, unknown>>) {
      if (typeof part.text === "string") chars += part.text.length;
      else if (part.input !== undefined || part.output !== undefined) chars += JSON.stringify(part.input ?? part.output ?? "").length;
    }
  }
  if (params.tools?.length) chars += JSON.stringify(params.tools).length;
  return {
    deploymentId: d.id,
    model: d.model,
    inputTokens: Math.ceil(chars / CHARS_PER_TOKEN),
    outputTokens: params.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVE,
  };
}

export class Gateway {
  constructor(
    readonly runtimes: DeploymentRuntime[],
    private readonly opts: GatewayOptions,
  ) {}

  deploymentsFor(tier: ModelTier): DeploymentRuntime[] {
    return this.runtimes.filter((r) => r.deployment.tiers.includes(tier));
  }

  /** The tier's model: an AI SDK model wrapped with the gateway as middleware. */
  model(tier: ModelTier, call: GatewayCall): LanguageModelV4 {
    const all = this.deploymentsFor(tier);
    if (all.length === 0) throw new Error(`no deployment serves the ${tier} tier`);
    let calls = 0;
    const middleware: LanguageModelV4Middleware = {
      specificationVersion: "v4",
      wrapStream: ({ params }) => this.run(tier, call, params, "stream", ++calls) as ReturnType<LanguageModel["doStream"]>,
      wrapGenerate: ({ params }) => this.run(tier, call, params, "generate", ++calls) as ReturnType<LanguageModel["doGenerate"]>,
    };
    return wrapLanguageModel({ model: all[0]!.model, middleware }) as LanguageModelV4;
  }

  private async run(tier: ModelTier, call: GatewayCall, params: LanguageModelV4CallOptions, mode: "stream" | "generate", callNo: number): Promise<unknown> {
    const emit = call.onEvent ?? (() => {});
    const signal = params.abortSignal;
    const excluded = new Set<string>();
    const retries = new Map<string, number>();
    const backoffs = new Map<string, IBackoff<unknown>>();
    let preferred: string | undefined;
    let first: string | undefined;
    let previous: string | undefined;
    let lastError: unknown;
    const waitedFor = new Set<string>();
    const topPriority = Math.min(...this.deploymentsFor(tier).map((r) => r.deployment.priority));

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (signal?.aborted) throw signal.reason;
      const choice = await this.choose(tier, excluded, preferred);
      if (!choice) throw lastError ?? new GatewayError(unavailable(`No deployment can serve the ${tier} tier right now.`));
      if ("waitUntil" in choice) {
        const waitMs = choice.waitUntil - Date.now();
        if (!choice.rateLimited) {
          // Failing deployments in cooldown: say so now rather than hang until they might recover.
          throw (
            lastError ??
            new GatewayError({
              ...unavailable(`Every model deployment for this request is paused after repeated failures (last: ${choice.reason.replace(/\.$/, "")})`),
              retryAfterMs: waitMs,
            })
          );
        }
        if (Date.now() + waitMs > call.deadline) {
          throw new GatewayError({
            ...(lastError ? classifyFailure(lastError) : unavailable(choice.reason)),
            retryAfterMs: waitMs,
            message: `${choice.reason.replace(/\.$/, "")}; it will take requests again in about ${Math.max(1, Math.ceil(waitMs / 1000))} s.`,
          });
        }
        // One event per deployment waited for, not one per re-check while someone else probes.
        if (!waitedFor.has(choice.deploymentId)) emit({ type: "retry", deploymentId: choice.deploymentId, waitMs, reason: choice.reason });
        waitedFor.add(choice.deploymentId);
        // Jittered, so callers waiting out one cooldown do not all wake at the same instant.
        await sleep(waitMs + Math.random() * 250, signal);
        attempt--; // waiting out a cooldown is not an attempt
        continue;
      }
      const rt = choice.rt;
      const id = rt.deployment.id;
      first ??= id;
      if (previous && previous !== id) emit({ type: "fallback", from: previous, to: id, reason: lastError ? classifyFailure(lastError).message : "" });
      previous = id;
      // The guard (token limits, budget) is asked before each attempt, outside the failure handling
      // below: a refusal ends the call as it is, never retried, never failed over, and never
      // held against the deployment's breaker (it says nothing about the deployment's health).
      const estimate = call.guard ? estimateCall(rt.deployment, params) : null;
      if (call.guard && estimate) {
        // (Were this attempt the half-open probe, its lock lapses after the probe TTL.)
        await call.guard.beforeCall(estimate);
      }
      try {
        const result = await this.attempt(rt, call, params, mode, { call: callNo, attempt }, choice.probe, estimate);
        // A fallback: another deployment took over in this call, or the tier's first choice was not usable.
        const fallback = id !== first || rt.deployment.priority > topPriority;
        emit({ type: "answered", deploymentId: id, model: rt.deployment.model, label: rt.deployment.label, fallback });
        return result;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        lastError = err;
        const f = classifyFailure(err);
        if (!f.retrySame && !f.failover) throw err;
        const n = (retries.get(id) ?? 0) + 1;
        retries.set(id, n);
        if (!f.retrySame || n > this.opts.maxRetries) {
          excluded.add(id);
          preferred = undefined;
          continue;
        }
        if (f.kind === "rate_limited" || f.openNow) {
          // The breaker is open for the provider's Retry-After: another deployment answers at
          // once; with none, choose() waits out the cooldown (or fails if the budget is shorter).
          if (f.retryAfterMs !== undefined && Date.now() + f.retryAfterMs > call.deadline && !(await this.hasOther(tier, excluded, id))) {
            throw new GatewayError({ ...f, message: `${f.message.replace(/\.$/, "")}; it will take requests again in about ${Math.max(1, Math.ceil(f.retryAfterMs / 1000))} s.` }, id);
          }
          preferred = undefined;
          continue;
        }
        // 5xx, network errors and timeouts: back off with full jitter, then the same deployment.
        const backoff = backoffs.get(id) ?? new ExponentialBackoff({ generator: fullJitterGenerator, initialDelay: 200, maxDelay: 5_000 }).next();
        const waitMs = f.retryAfterMs ?? backoff.duration;
        backoffs.set(id, backoff.next(undefined));
        if (Date.now() + waitMs > call.deadline) {
          excluded.add(id);
          continue;
        }
        emit({ type: "retry", deploymentId: id, waitMs, reason: f.message });
        await sleep(waitMs, signal);
        preferred = id;
      }
    }
    throw lastError ?? new GatewayError(unavailable("The model gateway gave up after too many attempts."));
  }

  private async hasOther(tier: ModelTier, excluded: Set<string>, except: string): Promise<boolean> {
    for (const rt of this.deploymentsFor(tier)) {
      if (rt.deployment.id === except || excluded.has(rt.deployment.id)) continue;
      if ((await rt.breaker.view()).state !== "open") return true;
    }
    return false;
  }

  /** The first admissible deployment by priority (load-balanced within one), or when one will be. */
  private async choose(
    tier: ModelTier,
    excluded: Set<string>,
    preferred: string | undefined,
  ): Promise<{ rt: DeploymentRuntime; probe: boolean } | { waitUntil: number; reason: string; deploymentId: string; rateLimited: boolean } | null> {
    const ordered = this.order(this.deploymentsFor(tier).filter((r) => !excluded.has(r.deployment.id)), preferred);
    let soonest: { waitUntil: number; reason: string; deploymentId: string; rateLimited: boolean } | null = null;
    for (const rt of ordered) {
      const freeAt = rt.window?.nextFreeAt() ?? 0;
      if (freeAt > Date.now()) {
        // At its own rpm/tpm limit: like a provider's rate limit, worth waiting for if nothing else serves.
        if (!soonest || !soonest.rateLimited || freeAt < soonest.waitUntil) {
          soonest = { waitUntil: freeAt, reason: `${rt.deployment.label} is at its configured rate limit`, deploymentId: rt.deployment.id, rateLimited: true };
        }
        continue;
      }
      const a = await rt.breaker.admit();
      if (a.ok) return { rt, probe: a.probe };
      if (rt.deployment.misconfigured) continue;
      // A rate-limited deployment is worth waiting for before a failing one.
      const better = !soonest || (a.rateLimited && !soonest.rateLimited) || (a.rateLimited === soonest.rateLimited && a.openUntil < soonest.waitUntil);
      if (better) soonest = { waitUntil: a.openUntil, reason: a.reason, deploymentId: rt.deployment.id, rateLimited: a.rateLimited };
    }
    return soonest;
  }

  private order(rts: DeploymentRuntime[], preferred: string | undefined): DeploymentRuntime[] {
    const byPriority = new Map<number, DeploymentRuntime[]>();
    for (const r of rts) byPriority.set(r.deployment.priority, [...(byPriority.get(r.deployment.priority) ?? []), r]);
    const out: DeploymentRuntime[] = [];
    for (const p of [...byPriority.keys()].sort((a, b) => a - b)) out.push(...this.balance(byPriority.get(p)!));
    const i = preferred ? out.findIndex((r) => r.deployment.id === preferred) : -1;
    if (i > 0) out.unshift(...out.splice(i, 1));
    return out;
  }

  private balance(group: DeploymentRuntime[]): DeploymentRuntime[] {
    if (group.length < 2) return group;
    if (this.opts.routing === "least-busy") return [...group].sort((a, b) => a.inFlight / a.deployment.weight - b.inFlight / b.deployment.weight);
    // Weighted random order: each pick proportional to weight among those left.
    const left = [...group];
    const out: DeploymentRuntime[] = [];
    while (left.length > 0) {
      let r = Math.random() * left.reduce((s, x) => s + x.deployment.weight, 0);
      const i = left.findIndex((x) => (r -= x.deployment.weight) < 0);
      out.push(...left.splice(i < 0 ? left.length - 1 : i, 1));
    }
    return out;
  }

  private async attempt(
    rt: DeploymentRuntime,
    call: GatewayCall,
    params: LanguageModelV4CallOptions,
    mode: "stream" | "generate",
    n: { call: number; attempt: number },
    probe: boolean,
    estimate: CallGuardEstimate | null,
  ): Promise<unknown> {
    const emit = call.onEvent ?? (() => {});
    const d = rt.deployment;
    // Tells the guard once what this attempt really used (null: it failed before a usage was known).
    let reconciled = !call.guard || !estimate;
    const reconcile = (usage: { inputTokens: { total?: number }; outputTokens: { total?: number } } | null, cached = false) => {
      if (reconciled) return;
      reconciled = true;
      try {
        call.guard!.afterCall(
          estimate!,
          usage ? { deploymentId: d.id, model: d.model, inputTokens: usage.inputTokens.total ?? 0, outputTokens: usage.outputTokens.total ?? 0, cached } : null,
        );
      } catch {
        // A guard's bookkeeping must not fail a call that already happened.
      }
    };
    const cacheable = call.cache && this.opts.cache && params.temperature === 0 && !(params.tools && params.tools.length > 0);
    const key = cacheable ? cacheKey(call.orgId, call.userId, d.model, { ...params, abortSignal: undefined, headers: undefined }) : null;
    if (key && this.opts.cache) {
      const hit = await this.opts.cache.get(key).catch(() => null);
      if (hit) {
        emit({ type: "cache_hit", deploymentId: d.id, model: d.model });
        const finish = hit.parts.find((p): p is Extract<LanguageModelV4StreamPart, { type: "finish" }> => p.type === "finish");
        reconcile(finish?.usage ?? { inputTokens: { total: 0 }, outputTokens: { total: 0 } }, true);
        return mode === "stream" ? { stream: replay(hit.parts) } : generateResultFrom(hit.parts);
      }
    }

    let release: () => void = () => {};
    if (rt.queue) {
      const t0 = Date.now();
      const depth = rt.queue.depth;
      try {
        release = await rt.queue.acquire(call.userId, { maxWaitMs: Math.max(0, Math.min(this.opts.queueMaxWaitMs, call.deadline - Date.now())), signal: params.abortSignal });
      } catch (err) {
        reconcile(null);
        if (err instanceof QueueTimeoutError) {
          emit({ type: "queue", deploymentId: d.id, waitedMs: err.waitedMs, depth: err.depth });
          throw new GatewayError(
            { ...unavailable(`All ${rt.queue.limit} slots of ${d.label} stayed busy for ${Math.round(err.waitedMs / 1000)} s.`), retryAfterMs: 5_000 },
            d.id,
          );
        }
        throw err;
      }
      if (Date.now() - t0 > 0 || depth > 0) emit({ type: "queue", deploymentId: d.id, waitedMs: Date.now() - t0, depth });
    }

    rt.inFlight++;
    rt.window?.recordRequest();
    const startedAt = Date.now();
    const ac = new AbortController();
    const onCallerAbort = () => ac.abort(params.abortSignal?.reason);
    params.abortSignal?.addEventListener("abort", onCallerAbort, { once: true });
    // The caller may have left while the call waited for its guard or a slot.
    if (params.abortSignal?.aborted) onCallerAbort();
    const left = Math.max(0, call.deadline - Date.now());
    const totalTimer = setTimeout(() => ac.abort(new GatewayError(timeoutFailure(), d.id)), left);
    const firstTimer =
      mode === "stream" && this.opts.firstTokenTimeoutMs < left
        ? setTimeout(() => ac.abort(new GatewayError(firstTokenTimeout(this.opts.firstTokenTimeoutMs), d.id)), this.opts.firstTokenTimeoutMs)
        : null;

    let settled = false;
    const settle = async (
      outcome:
        | { ok: true; finish?: Extract<LanguageModelV4StreamPart, { type: "finish" }>; usage?: GenerateResult["usage"]; finishReason?: GenerateResult["finishReason"] }
        | { ok: false; error: unknown },
    ) => {
      if (settled) return;
      settled = true;
      reconcile(outcome.ok ? (outcome.finish?.usage ?? outcome.usage ?? null) : null);
      clearTimeout(totalTimer);
      if (firstTimer) clearTimeout(firstTimer);
      params.abortSignal?.removeEventListener("abort", onCallerAbort);
      rt.inFlight--;
      release();
      const latencyMs = Date.now() - startedAt;
      rt.stats.record(latencyMs, outcome.ok);
      // Streamed calls report usage in their finish part, generated ones in their result.
      const usage = outcome.ok ? (outcome.finish?.usage ?? outcome.usage) : undefined;
      if (usage) rt.window?.recordTokens((usage.inputTokens.total ?? 0) + (usage.outputTokens.total ?? 0));
      const callerGone = !outcome.ok && params.abortSignal?.aborted;
      const f = outcome.ok || callerGone ? null : classifyFailure(outcome.error);
      emit({
        type: "attempt",
        deploymentId: d.id,
        provider: d.provider,
        model: d.model,
        call: n.call,
        attempt: n.attempt,
        startedAt,
        latencyMs,
        outcome: outcome.ok ? "success" : "failure",
        ...(f ? { error: f.kind, status: f.status } : callerGone ? { error: "cancelled" } : {}),
        ...(usage ? { inputTokens: usage.inputTokens.total, outputTokens: usage.outputTokens.total } : {}),
        ...(outcome.ok && (outcome.finish ?? outcome.finishReason)
          ? { finishReason: (outcome.finish?.finishReason ?? outcome.finishReason)!.unified }
          : {}),
      });
      // A caller that left says nothing about the deployment's health.
      const transition = outcome.ok ? await rt.breaker.success(probe) : f ? await rt.breaker.failure(f, probe) : null;
      if (transition) emit({ type: "breaker", deploymentId: d.id, state: transition.state, reason: transition.reason });
    };
    const failWith = (err: unknown) => (ac.signal.reason instanceof GatewayError ? ac.signal.reason : err);

    try {
      if (mode === "generate") {
        const result = await rt.model.doGenerate({ ...params, abortSignal: ac.signal });
        await settle({ ok: true, usage: result.usage, finishReason: result.finishReason });
        if (key && this.opts.cache) void this.opts.cache.set(key, { parts: partsFromGenerate(result) }, this.opts.cacheTtlMs).catch(() => {});
        return result;
      }
      const result = await rt.model.doStream({ ...params, abortSignal: ac.signal });
      const reader = result.stream.getReader();
      const prelude: LanguageModelV4StreamPart[] = [];
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        if (r.value.type === "error") throw r.value.error;
        prelude.push(r.value);
        if (CONTENT.has(r.value.type)) break;
      }
      if (firstTimer) clearTimeout(firstTimer);
      const collected: LanguageModelV4StreamPart[] | null = key ? [...prelude] : null;
      let finish: Extract<LanguageModelV4StreamPart, { type: "finish" }> | undefined;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        start(controller) {
          for (const p of prelude) {
            if (p.type === "finish") finish = p;
            controller.enqueue(p);
          }
        },
        pull: async (controller) => {
          try {
            const r = await reader.read();
            if (r.done) {
              controller.close();
              await settle({ ok: true, finish });
              if (key && collected && this.opts.cache) void this.opts.cache.set(key, { parts: collected }, this.opts.cacheTtlMs).catch(() => {});
              return;
            }
            const p = r.value;
            if (p.type === "finish") finish = p;
            if (p.type === "error") void settle({ ok: false, error: p.error });
            collected?.push(p);
            controller.enqueue(p);
          } catch (err) {
            const e = failWith(err);
            controller.error(e);
            await settle({ ok: false, error: e });
          }
        },
        cancel: async (reason) => {
          ac.abort(reason);
          await reader.cancel(reason).catch(() => {});
          await settle({ ok: false, error: reason });
        },
      });
      return { ...result, stream };
    } catch (err) {
      const e = failWith(err);
      ac.abort(e);
      await settle({ ok: false, error: e });
      throw e;
    }
  }
}

type LanguageModel = LanguageModelV4;

function unavailable(message: string): AttemptFailure {
  return { kind: "unavailable", retrySame: false, failover: true, openNow: false, message };
}

function timeoutFailure(): AttemptFailure {
  return { kind: "timeout", retrySame: false, failover: false, openNow: false, message: "The model took too long to answer." };
}

function firstTokenTimeout(ms: number): AttemptFailure {
  return { kind: "first_token_timeout", retrySame: true, failover: true, openNow: false, message: `The model sent nothing for ${Math.round(ms / 1000)} s.` };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function replay(parts: LanguageModelV4StreamPart[]): ReadableStream<LanguageModelV4StreamPart> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
}

type GenerateResult = Awaited<ReturnType<LanguageModelV4["doGenerate"]>>;

/** A generate result kept as stream parts, so one cache shape serves both modes. */
function partsFromGenerate(r: GenerateResult): LanguageModelV4StreamPart[] {
  const parts: LanguageModelV4StreamPart[] = [];
  r.content.forEach((c, i) => {
    if (c.type === "text") {
      parts.push({ type: "text-start", id: String(i) }, { type: "text-delta", id: String(i), delta: c.text }, { type: "text-end", id: String(i) });
    }
  });
  parts.push({ type: "finish", usage: r.usage, finishReason: r.finishReason });
  return parts;
}

function generateResultFrom(parts: LanguageModelV4StreamPart[]): GenerateResult {
  let text = "";
  let finish: Extract<LanguageModelV4StreamPart, { type: "finish" }> | undefined;
  for (const p of parts) {
    if (p.type === "text-delta") text += p.delta;
    if (p.type === "finish") finish = p;
  }
  return {
    content: [{ type: "text", text }],
    finishReason: finish?.finishReason ?? { unified: "stop", raw: "stop" },
    usage: finish?.usage ?? { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 0, text: 0, reasoning: 0 } },
    warnings: [],
  } as unknown as GenerateResult;
}
