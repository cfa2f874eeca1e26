import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import type { Env } from "@/lib/config/env";

/**
 * Where models run. `MODEL_DEPLOYMENTS` (a JSON array, or a path to a JSON file) lists them;
 * without it, the simple form (OPENAI_BASE_URL / OPENAI_API_KEY with MODEL_SMALL / MODEL_LARGE)
 * is one deployment per tier, and with no provider at all the built-in offline model serves both.
 */
export type ModelTier = "small" | "large";
export type DeploymentProvider = "openai" | "openai-compatible" | "offline";

const DeploymentSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][\w.-]*$/, "letters, digits, '.', '_' and '-' only"),
    provider: z.enum(["openai", "openai-compatible"]),
    baseURL: z.url().optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "the name of an environment variable")
      .optional(),
    model: z.string().min(1).max(200),
    tiers: z.array(z.enum(["small", "large"])).min(1),
    weight: z.number().positive().max(1_000).default(1),
    priority: z.number().int().min(0).max(1_000).default(0),
    maxConcurrency: z.number().int().positive().max(100_000).optional(),
    rpm: z.number().int().positive().max(10_000_000).optional(),
    tpm: z.number().int().positive().max(1_000_000_000).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.provider === "openai-compatible" && !d.baseURL) ctx.addIssue({ code: "custom", path: ["baseURL"], message: "required for openai-compatible" });
  });

export interface Deployment {
  id: string;
  provider: DeploymentProvider;
  baseURL?: string;
  apiKeyEnv?: string;
  apiKey?: string;
  model: string;
  tiers: ModelTier[];
  weight: number;
  priority: number;
  maxConcurrency?: number;
  rpm?: number;
  tpm?: number;
  /** Why it cannot be used (e.g. its key variable is unset); its breaker starts open. */
  misconfigured?: string;
  /** What the UI shows for a reply it answered. */
  label: string;
}

export class DeploymentConfigError extends Error {}

/** The deployments this environment describes. Throws a DeploymentConfigError naming the entry and field. */
export function loadDeployments(e: Env): Deployment[] {
  if (e.MODEL_DEPLOYMENTS) return parseDeployments(readSource(e.MODEL_DEPLOYMENTS), process.env);
  if (e.OPENAI_BASE_URL || e.OPENAI_API_KEY) return simpleForm(e);
  return (["small", "large"] as const).map((tier) => ({
    id: `offline-${tier}`,
    provider: "offline" as const,
    model: `offline-${tier}`,
    tiers: [tier],
    weight: 1,
    priority: 0,
    label: "Offline model",
  }));
}

function readSource(raw: string): unknown {
  const text = raw.trim();
  const json = text.startsWith("[") ? text : readFile(text);
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new DeploymentConfigError(`MODEL_DEPLOYMENTS is not valid JSON: ${(err as Error).message}`);
  }
}

function readFile(path: string): string {
  if (!existsSync(path)) throw new DeploymentConfigError(`MODEL_DEPLOYMENTS: no such file ${path} (give a JSON array or the path to a JSON file)`);
  return readFileSync(path, "utf8");
}

export function parseDeployments(input: unknown, vars: Record<string, string | undefined>): Deployment[] {
  if (!Array.isArray(input) || input.length === 0) throw new DeploymentConfigError("MODEL_DEPLOYMENTS must be a non-empty JSON array of deployments");
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const parsed = DeploymentSchema.safeParse(raw);
    const name = typeof (raw as { id?: unknown })?.id === "string" ? ` ("${(raw as { id: string }).id}")` : "";
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
      throw new DeploymentConfigError(`MODEL_DEPLOYMENTS[${i}]${name}${field}: ${issue.message}`);
    }
    const d = parsed.data;
    if (seen.has(d.id)) throw new DeploymentConfigError(`MODEL_DEPLOYMENTS[${i}]${name}.id: used by an earlier deployment`);
    seen.add(d.id);
    const apiKey = d.apiKeyEnv ? vars[d.apiKeyEnv] || undefined : undefined;
    const misconfigured =
      d.apiKeyEnv && !apiKey ? `its key variable ${d.apiKeyEnv} is not set` : d.provider === "openai" && !d.apiKeyEnv ? "an openai deployment needs apiKeyEnv" : undefined;
    return { ...d, tiers: [...new Set(d.tiers)], apiKey, misconfigured, label: d.id };
  });
}

function simpleForm(e: Env): Deployment[] {
  const provider: DeploymentProvider = e.OPENAI_BASE_URL ? "openai-compatible" : "openai";
  const defaults = { small: "gpt-5-mini", large: "gpt-5" } as const;
  return (["small", "large"] as const).map((tier) => {
    const configured = tier === "small" ? (e.MODEL_SMALL ?? e.MODEL_LARGE) : (e.MODEL_LARGE ?? e.MODEL_SMALL);
    const model = configured ?? defaults[tier];
    return {
      id: `${provider === "openai" ? "openai" : "default"}-${tier}`,
      provider,
      baseURL: e.OPENAI_BASE_URL,
      apiKey: e.OPENAI_API_KEY,
      model,
      tiers: [tier],
      weight: 1,
      priority: 0,
      label: provider === "openai" ? `OpenAI ${model}` : model,
    };
  });
}

/** Each tier needs a usable deployment; the message says which tiers have none. */
export function unusableTiers(deployments: Deployment[]): ModelTier[] {
  return (["small", "large"] as const).filter((t) => !deployments.some((d) => d.tiers.includes(t) && !d.misconfigured));
}
