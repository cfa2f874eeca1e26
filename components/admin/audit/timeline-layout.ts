import { actionLabel } from "./actions";

/**
 * Lays out a chat turn's steps on one time axis, from the turn's start. How a step is placed
 * follows how lib/chat/turn.ts times it:
 *
 * - request received: an instant, the turn's start;
 * (a step's time is `data.at`, what the turn reported; `createdAt` is when the row was written)
 * - model and tool calls: `createdAt` is when the call began and `latencyMs` how long it took;
 * - first token and the response's end (completed, interrupted, failed): `createdAt` is when it
 *   happened and `latencyMs` the time since the turn began, so the bar runs from the turn's start.
 */
export interface TimelineStep {
  id: string;
  action: string;
  createdAt: string;
  latencyMs: number | null;
  outcome: string;
  data?: unknown;
}

export interface TimelineBar {
  id: string;
  action: string;
  label: string;
  /** Offset of the start from the turn's start, in ms. */
  startMs: number;
  durationMs: number;
  /** An instant (no duration to draw). */
  instant: boolean;
  outcome: string;
  /** Position and width as percentages of the axis. */
  left: number;
  width: number;
}

export interface TimelineLayout {
  bars: TimelineBar[];
  /** The axis length (ms): from the first start to the last end, at least 1. */
  totalMs: number;
  /** When the turn began (ISO). */
  startedAt: string | null;
}

const FROM_TURN_START = new Set([
  "chat.first_token",
  "chat.response_completed",
  "chat.response_interrupted",
  "chat.response_failed",
]);

const MIN_WIDTH = 0.6;

function num(data: unknown, key: string): number | null {
  const v = data && typeof data === "object" ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function str(data: unknown, key: string): string | null {
  const v = data && typeof data === "object" ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === "string" && v ? v : null;
}

export function stepLabel(s: Pick<TimelineStep, "action" | "data">): string {
  const base = actionLabel(s.action);
  if (s.action === "chat.model_call") {
    const call = num(s.data, "call");
    const attempt = num(s.data, "attempt");
    // Each agent of a team numbers its own calls, so the agent tells two "call 1"s apart.
    const agent = str(s.data, "agent");
    return `${base}${call !== null ? ` ${call}` : ""}${agent ? ` · ${agent}` : ""}${attempt !== null && attempt > 1 ? ` (attempt ${attempt})` : ""}`;
  }
  if (s.action === "chat.tool_call") {
    const tool = str(s.data, "tool");
    return tool ? `${base}: ${tool}` : base;
  }
  return base;
}

export function layoutTimeline(steps: readonly TimelineStep[]): TimelineLayout {
  const spans = steps.map((s) => {
    // Steps are written in batches after they happen: data.at is when the step itself reported it.
    const at = Date.parse(str(s.data, "at") ?? s.createdAt);
    const latency = s.latencyMs !== null && s.latencyMs >= 0 ? s.latencyMs : null;
    if (latency === null) return { s, start: at, end: at, instant: true };
    if (FROM_TURN_START.has(s.action)) return { s, start: at - latency, end: at, instant: false };
    return { s, start: at, end: at + latency, instant: false };
  });
  if (spans.length === 0) return { bars: [], totalMs: 1, startedAt: null };
  const t0 = Math.min(...spans.map((x) => x.start));
  const t1 = Math.max(...spans.map((x) => x.end));
  const totalMs = Math.max(t1 - t0, 1);
  const bars = spans.map(({ s, start, end, instant }) => {
    const startMs = start - t0;
    const durationMs = end - start;
    const left = (startMs / totalMs) * 100;
    const width = instant ? 0 : Math.max((durationMs / totalMs) * 100, MIN_WIDTH);
    return {
      id: s.id,
      action: s.action,
      label: stepLabel(s),
      startMs,
      durationMs,
      instant,
      outcome: s.outcome,
      left: Math.min(left, 100),
      width: Math.min(width, 100 - Math.min(left, 100)),
    };
  });
  return { bars, totalMs, startedAt: new Date(t0).toISOString() };
}
