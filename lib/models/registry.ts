import type { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { env, type Env } from "@/lib/config/env";
import { createOfflineModel, OFFLINE_MODEL_LABEL } from "./offline-model";

/**
 * The one seam that picks a model (ARCHITECTURE rule 6). Callers ask for a tier; this decides
 * the provider from the environment:
 *   OPENAI_BASE_URL set  → an OpenAI-compatible server over chat completions (Ollama, vLLM, …)
 *   OPENAI_API_KEY set   → OpenAI itself (Responses API)
 *   neither              → the built-in offline model, deterministic and labelled as such
 */
export type ModelTier = "small" | "large";
export type ProviderKind = "openai" | "openai-compatible" | "offline";

export interface ModelChoice {
  model: LanguageModelV4;
  provider: ProviderKind;
  modelId: string;
  /** What the UI shows next to a reply. */
  label: string;
  tier: ModelTier;
}

const OPENAI_DEFAULTS: Record<ModelTier, string> = { small: "gpt-5-mini", large: "gpt-5" };

export function providerKind(e: Env = env()): ProviderKind {
  if (e.OPENAI_BASE_URL) return "openai-compatible";
  if (e.OPENAI_API_KEY) return "openai";
  return "offline";
}

export function modelIdFor(tier: ModelTier, e: Env = env()): string {
  const kind = providerKind(e);
  const configured = tier === "small" ? (e.MODEL_SMALL ?? e.MODEL_LARGE) : (e.MODEL_LARGE ?? e.MODEL_SMALL);
  if (configured) return configured;
  if (kind === "offline") return `offline-${tier}`;
  return OPENAI_DEFAULTS[tier];
}

type Cache = { key: string; openai?: ReturnType<typeof createOpenAI> };
const holder = globalThis as typeof globalThis & { __enclaveModels?: Cache };

// @ai-sdk/openai builds a default provider from process.env when it is first imported, and an
// empty OPENAI_BASE_URL (which we treat as unset) makes that throw. Load it only when a provider
// is configured, with the settings passed explicitly.
async function openaiProvider(e: Env): Promise<ReturnType<typeof createOpenAI>> {
  const key = `${e.OPENAI_BASE_URL ?? ""}|${e.OPENAI_API_KEY ?? ""}`;
  if (holder.__enclaveModels?.key !== key || !holder.__enclaveModels.openai) {
    if (process.env.OPENAI_BASE_URL === "") delete process.env.OPENAI_BASE_URL;
    const { createOpenAI } = await import("@ai-sdk/openai");
    holder.__enclaveModels = {
      key,
      openai: createOpenAI({
        baseURL: e.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
        // Local servers usually accept any key; the SDK insists on one being present.
        apiKey: e.OPENAI_API_KEY ?? "not-needed",
        name: e.OPENAI_BASE_URL ? "openai-compatible" : "openai",
      }),
    };
  }
  return holder.__enclaveModels.openai!;
}

export async function getLanguageModel(tier: ModelTier, e: Env = env()): Promise<ModelChoice> {
  const provider = providerKind(e);
  const modelId = modelIdFor(tier, e);
  if (provider === "offline") {
    return {
      model: createOfflineModel({ modelId, chunkDelayMs: e.OFFLINE_MODEL_DELAY_MS }),
      provider,
      modelId,
      label: OFFLINE_MODEL_LABEL,
      tier,
    };
  }
  const openai = await openaiProvider(e);
  return provider === "openai-compatible"
    ? { model: openai.chat(modelId), provider, modelId, label: modelId, tier }
    : { model: openai(modelId), provider, modelId, label: `OpenAI ${modelId}`, tier };
}

/** For the UI badge and /api/health: what answers, without building a model. */
export function describeModels(e: Env = env()): { provider: ProviderKind; label: string; small: string; large: string } {
  const provider = providerKind(e);
  const large = modelIdFor("large", e);
  return {
    provider,
    label: provider === "offline" ? OFFLINE_MODEL_LABEL : provider === "openai" ? `OpenAI ${large}` : large,
    small: modelIdFor("small", e),
    large,
  };
}
