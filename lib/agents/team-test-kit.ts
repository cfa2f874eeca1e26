/**
 * What the agent-team tests share: a principal without a database (for specialists that read
 * none), environment switching between the offline model and the mock model server, collecting a
 * run's parts and turn events.
 */
import { builtInPermissions, type BuiltInRole } from "@/lib/authz/catalog";
import { resetEnvCache } from "@/lib/config/env";
import type { Emit, TurnEvent, TurnStep } from "@/lib/observability/turn-events";
import type { Principal } from "@/lib/principal";
import { DEFAULT_AGENTS } from "./defaults";
import { runTeam, type TeamPart, type TeamRun, type TeamRunInput } from "./team";
import type { AgentSet, TraceChunk } from "./types";

export function fakePrincipal(role: BuiltInRole = "member", over: Partial<Principal> = {}): Principal {
  return {
    userId: "u-team-test",
    orgId: "o-team-test",
    role,
    teamId: null,
    sessionId: "s-team-test",
    email: "team@test",
    name: "Team Test",
    permissions: builtInPermissions(role),
    managedTeamIds: [],
    via: "session",
    ...over,
  };
}

const MODEL_VARS = ["OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL_SMALL", "MODEL_LARGE", "MODEL_DEPLOYMENTS", "MODEL_CACHE_TIERS"];

/** No provider: the built-in offline model answers both tiers. */
export function useOffline(vars: Record<string, string> = {}): void {
  for (const k of MODEL_VARS) delete process.env[k];
  Object.assign(process.env, { OFFLINE_MODEL_DELAY_MS: "0", MODEL_MAX_RETRIES: "0" }, vars);
  resetEnvCache();
}

/** The mock server: mock-small for the small tier, mock-large for the large one. */
export function useMockModels(url: string, vars: Record<string, string> = {}): void {
  useOffline({ OPENAI_BASE_URL: url, OPENAI_API_KEY: "sk-test", MODEL_SMALL: "mock-small", MODEL_LARGE: "mock-large", ...vars });
}

export interface Collected {
  parts: TeamPart[];
  events: Array<{ step: TurnStep } & Partial<Pick<TurnEvent, "at" | "latencyMs" | "outcome" | "input" | "output" | "data">>>;
  text: string;
  traces: Map<string, TraceChunk["data"]>;
  run: TeamRun;
  wallMs: number;
}

export function agentsWith(over: Partial<{ [K in keyof AgentSet]: Partial<AgentSet[K]> }> = {}): AgentSet {
  const out = structuredClone(DEFAULT_AGENTS);
  for (const [id, patch] of Object.entries(over)) Object.assign(out[id as keyof AgentSet], patch);
  return out;
}

export function teamInput(text: string, over: Partial<TeamRunInput> & { events?: Collected["events"] } = {}): TeamRunInput {
  const events = over.events ?? [];
  const emit: Emit = (step: TurnStep, fields = {}) => events.push({ step, ...fields });
  return {
    principal: fakePrincipal(),
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    conversationId: `conv-${Math.random().toString(36).slice(2)}`,
    messages: [{ role: "user", content: text }],
    userText: text,
    recalled: [],
    agents: DEFAULT_AGENTS,
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    emit,
    ...over,
  };
}

/** Runs the team to its end and gathers what it streamed and emitted. */
export async function collect(input: TeamRunInput, events: Collected["events"] = []): Promise<Collected> {
  const t0 = performance.now();
  const emit = input.emit;
  const run = runTeam({ ...input, emit: (s, f) => (events.push({ step: s, ...f }), emit(s, f)) });
  const parts: TeamPart[] = [];
  const reader = run.stream.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(r.value);
  }
  const wallMs = Math.round(performance.now() - t0);
  const traces = new Map<string, TraceChunk["data"]>();
  for (const p of parts) if (p.type === "data-trace") traces.set(p.id, p.data);
  const text = parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");
  return { parts, events, text, traces, run, wallMs };
}
