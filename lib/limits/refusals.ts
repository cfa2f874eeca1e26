import { AppError } from "@/lib/errors/app-error";

/** Which limit refused a turn (or a model call): the `reason` of the 429, switched on by clients. */
export type LimitReason = "user_rpm" | "org_rpm" | "user_tpm" | "org_tpm" | "concurrency";

export interface RefusalFacts {
  reason: LimitReason;
  /** The limit that applies. */
  limit: number;
  /** What has been used of it (this minute, or turns running now). */
  used: number;
  retryAfterMs: number;
}

/** Seconds, rounded up, at least 1: "you can send again in 0 s" helps nobody. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The 429 a refused turn or call answers with: which limit, how much of it is used, when to send again. */
export function limitRefusal(f: RefusalFacts): AppError {
  const s = seconds(f.retryAfterMs);
  const again = `You can send again in ${s} s.`;
  const message = {
    user_rpm: `You have sent ${plural(f.used, "turn")} this minute, your limit. ${again}`,
    org_rpm: `Your organization has sent ${plural(f.used, "turn")} this minute, its limit. ${again}`,
    user_tpm: `You have used ${plural(f.used, "token")} of your ${f.limit.toLocaleString("en-US")} tokens this minute. ${again}`,
    org_tpm: `Your organization has used ${plural(f.used, "token")} of its ${f.limit.toLocaleString("en-US")} tokens this minute. ${again}`,
    concurrency: `You already have ${plural(f.used, "turn")} running, your limit of ${f.limit} at once. Wait for one to finish; you can send again in ${s} s.`,
  }[f.reason];
  return new AppError("rate_limited", message, {
    reason: f.reason,
    retryAfterSeconds: s,
    details: {
      limit: f.reason,
      max: f.limit,
      used: f.used,
      ...(f.reason === "concurrency" ? {} : { windowSeconds: 60 }),
      retryAfterSeconds: s,
      retryAt: new Date(Date.now() + s * 1000).toISOString(),
    },
  });
}

/** While the audit writer is behind: no new turns until it has caught up (nothing recorded is dropped). */
export function auditBehindRefusal(pending: number, retryAfterSeconds: number): AppError {
  return new AppError(
    "unavailable",
    `The audit trail is catching up with a burst of activity. New turns are paused for a moment; you can send again in ${retryAfterSeconds} s.`,
    { reason: "audit_backlog", retryAfterSeconds, details: { limit: "audit_backlog", pending, retryAfterSeconds } },
  );
}
