import { TraceData, type SpecialistId } from "@/lib/agents/types";

/**
 * The agent trace of one assistant message, read from its `data-trace` parts (streamed live,
 * or stored with the message: the same shape either way). Pure, so the words the trace shows
 * and the screen reader hears are unit-tested without a browser.
 */

type Item<K extends TraceData["kind"]> = Extract<TraceData, { kind: K }>;
export type PlanItem = Item<"plan">;
export type BranchItem = Item<"branch">;
export type AggregateItem = Item<"aggregate">;
export type MemoryEntry = Item<"memory">["items"][number];

export interface TraceView {
  plan?: PlanItem;
  /** In the order the server first wrote them (the plan's order). */
  branches: BranchItem[];
  aggregate?: AggregateItem;
  memories: MemoryEntry[];
}

/** What a row shows: a running branch of a turn that ended without it is "stopped", not spinning. */
export type RowState = "running" | "done" | "failed" | "timeout" | "stopped";

interface PartLike {
  type: string;
  id?: unknown;
  data?: unknown;
}

/**
 * Collects the valid trace items of a message. A part whose data fails the schema is ignored
 * (an old or newer server, a damaged row): the chat never breaks on a bad trace part. When an
 * id appears twice the last value wins, as in the client's own message. Null: no trace at all.
 */
export function readTrace(parts: readonly PartLike[]): TraceView | null {
  const byId = new Map<string, TraceData>();
  for (const p of parts) {
    if (p.type !== "data-trace") continue;
    const parsed = TraceData.safeParse(p.data);
    if (!parsed.success) continue;
    const id = typeof p.id === "string" ? p.id : idOf(parsed.data);
    byId.delete(id); // keep first-appearance order, last value
    byId.set(id, parsed.data);
  }
  if (byId.size === 0) return null;
  const view: TraceView = { branches: [], memories: [] };
  const order = new Map<string, number>();
  for (const d of byId.values()) {
    if (d.kind === "plan") view.plan = d;
    else if (d.kind === "aggregate") view.aggregate = d;
    else if (d.kind === "memory") view.memories = d.items;
    else {
      const at = view.branches.findIndex((b) => b.agent === d.agent);
      if (at >= 0) view.branches[at] = d;
      else view.branches.push(d);
    }
  }
  // Branches in the plan's order when there is a plan, so rows do not jump as updates arrive.
  view.plan?.specialists.forEach((s, i) => order.set(s.agent, i));
  if (order.size > 0) {
    view.branches.sort((a, b) => (order.get(a.agent) ?? Infinity) - (order.get(b.agent) ?? Infinity));
  }
  return view;
}

function idOf(d: TraceData): string {
  return d.kind === "branch" ? `branch:${d.agent}` : d.kind;
}

const LABELS: Record<SpecialistId, string> = { research: "Research", calculation: "Calculation", writing: "Writing" };

export function agentLabel(agent: SpecialistId): string {
  return LABELS[agent] ?? agent;
}

/** "< 0.1 s", "0.4 s", "2.1 s", "12 s", "1 min 5 s". */
export function formatDuration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 50) return "< 0.1 s"; // "0.0 s" reads as "did not run"
  if (v < 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 60_000) return `${Math.round(v / 1000)} s`;
  const s = Math.round(v / 1000);
  const rest = s % 60;
  return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
}

export function rowState(status: BranchItem["status"] | AggregateItem["status"] | PlanItem["status"], live: boolean): RowState {
  if (status === "running") return live ? "running" : "stopped";
  return status;
}

/** A branch's status in words: "running", "done in 1.2 s", "timed out after 8.0 s", "failed: …". */
export function branchStatusText(b: BranchItem, live: boolean): string {
  const took = b.latencyMs !== undefined ? formatDuration(b.latencyMs) : null;
  switch (rowState(b.status, live)) {
    case "running":
      return "running";
    case "stopped":
      return "stopped";
    case "done":
      return took ? `done in ${took}` : "done";
    case "timeout":
      return took ? `timed out after ${took}` : "timed out";
    case "failed":
      return b.error ? `failed: ${b.error}` : "failed";
  }
}

/** How many specialists the turn used: the plan's choice, or the branches seen if no plan arrived. */
export function specialistCount(view: TraceView): number {
  return Math.max(view.plan?.specialists.length ?? 0, view.branches.length);
}

/**
 * The turn's duration as the phases ran: plan, then the branches in parallel (the slowest
 * counts), then the answer. Null when no phase reported a duration.
 */
export function totalMs(view: TraceView): number | null {
  const phases = [view.plan?.latencyMs, maxOf(view.branches.map((b) => b.latencyMs)), view.aggregate?.latencyMs];
  const known = phases.filter((v): v is number => v !== undefined);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

function maxOf(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

/** The collapsed line: "3 specialists · 2.1 s", "Answered directly · 0.4 s", "… · 1 timed out". */
export function summaryLine(view: TraceView): string {
  const n = specialistCount(view);
  const head = n === 0 ? "Answered directly" : `${n} ${n === 1 ? "specialist" : "specialists"}`;
  const parts = [head];
  const ms = totalMs(view);
  if (ms !== null) parts.push(formatDuration(ms));
  const failed = view.branches.filter((b) => b.status === "failed").length;
  const timedOut = view.branches.filter((b) => b.status === "timeout").length;
  if (failed > 0) parts.push(`${failed} failed`);
  if (timedOut > 0) parts.push(`${timedOut} timed out`);
  return parts.join(" · ");
}

/** The plan in words: "Planning…", "Answering directly", "Calculation and Research". */
export function planText(view: TraceView, live: boolean): string {
  const plan = view.plan;
  if (!plan || plan.status === "running") return live ? "Planning…" : "No plan recorded";
  const names = plan.specialists.map((s) => agentLabel(s.agent));
  if (names.length === 0) return "Answering directly";
  return listOf(names);
}

function listOf(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * The one sentence the live region holds while the turn runs: the newest event only, never the
 * tokens. It changes when the plan is made, when a branch finishes and when every branch has,
 * so a screen reader hears a handful of short updates per turn.
 */
export function liveAnnouncement(view: TraceView): string {
  const plan = view.plan;
  if (!plan || plan.status === "running") return "";
  const planned = specialistCount(view);
  if (planned === 0) return "Answering directly.";
  const finished = view.branches.filter((b) => b.status !== "running");
  if (finished.length === 0) return `Asking ${planText(view, true)}.`;
  const newest = finished.reduce((a, b) => (finishedAt(b) >= finishedAt(a) ? b : a));
  const what = `${agentLabel(newest.agent)} ${branchStatusText(newest, true)}`;
  if (finished.length >= planned) return `${what}. All ${planned} specialists finished; writing the answer.`;
  return `${what}, ${finished.length} of ${planned} finished.`;
}

function finishedAt(b: BranchItem): number {
  return b.startedAt + (b.latencyMs ?? 0);
}
