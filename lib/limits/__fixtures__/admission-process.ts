/**
 * One "app process" for lib/limits/cross-process.test.ts: installs the shared state from its own
 * environment (REDIS_URL, RATE_LIMIT_*) exactly as the server does at start-up, then admits turns
 * for the parent over the IPC channel, with admitTurn, the function the chat turn's admit stage
 * calls. Overrides are not read from a database here (none exists in this process): a user whose
 * id starts with "unlimited-" has a user override lifting their turns per minute.
 * Run with `node --import tsx` and an "ipc" stdio slot.
 */
import { parseEnv } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { installSharedState, sharedRedis } from "@/lib/models/shared-state";
import type { Principal } from "@/lib/principal";
import { Admission } from "../admission";
import { defaultLimits } from "../resolve";

export type Request = { id: number; op: "admit"; userId: string; orgId: string; count: number; holdMs?: number };
export type AdmitResult = { ok: true } | { ok: false; code: string; reason?: string; retryAfterSeconds?: number; message: string };

const e = parseEnv(process.env);
await installSharedState(e);
const admission = new Admission({ redis: sharedRedis(), prefix: process.env.LIMITS_PREFIX, defaults: () => defaultLimits(e), overrides: async (p) =>
    p.userId.startsWith("unlimited-") ? [{ scope: "user" as const, subjectId: p.userId, userRpm: 1_000_000, userTpm: null, maxConcurrentTurns: null }] : [],
});

function principal(userId: string, orgId: string): Principal {
  return { userId, orgId, role: "member", teamId: null, sessionId: "s", email: "x@acme.test", name: "X", permissions: new Set(), managedTeamIds: [], via: "session" };
}

async function admitOne(req: Request): Promise<AdmitResult> {
  try {
    const t = await admission.admit(principal(req.userId, req.orgId));
    setTimeout(() => t.release(), req.holdMs ?? 0);
    return { ok: true };
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { ok: false, code: err.code, reason: err.reason, retryAfterSeconds: err.retryAfterSeconds, message: err.message };
  }
}

process.on("message", (req: Request) => {
  void Promise.all(Array.from({ length: req.count }, () => admitOne(req))).then(
    (result) => process.send!({ id: req.id, result }),
    (err: Error) => process.send!({ id: req.id, error: err.message }),
  );
});
process.on("disconnect", () => process.exit(0));
process.send!({ ready: true });
