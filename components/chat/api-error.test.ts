import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchKeepingRetryAfter, formatWait, mayHaveStored, parseApiError, parseRetryAfter, waitSentence, withoutStaticWait } from "./api-error";

const body = (code: string, message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ error: { code, message }, ...extra });

describe("parseApiError", () => {
  it("reads the code, the message and the Retry-After the fetch wrapper kept", () => {
    expect(parseApiError(new Error(body("rate_limited", "Too many turns this minute.", { retryAfterSeconds: 39.2 })))).toEqual({
      code: "rate_limited",
      message: "Too many turns this minute.",
      retryAfterSeconds: 40,
    });
    expect(parseApiError(new Error(body("budget_exceeded", "Your monthly budget…")))).toEqual({ code: "budget_exceeded", message: "Your monthly budget…" });
  });

  it("reads lib/limits' body: reason, retryAfterSeconds and the named limit", () => {
    const limits = JSON.stringify({
      error: { code: "rate_limited", message: "You have sent 3 turns this minute, your limit. You can send again in 12 s.", reason: "user_rpm", retryAfterSeconds: 12, details: { limit: "user_rpm", max: 3 } },
    });
    expect(parseApiError(new Error(limits))).toEqual({
      code: "rate_limited",
      message: "You have sent 3 turns this minute, your limit. You can send again in 12 s.",
      retryAfterSeconds: 12,
      reason: "user_rpm",
      limit: "user_rpm",
    });
  });

  it("ignores a Retry-After that is not a positive number", () => {
    for (const v of [0, -3, "40", null]) {
      expect(parseApiError(new Error(body("rate_limited", "x", { retryAfterSeconds: v })))).not.toHaveProperty("retryAfterSeconds");
    }
  });

  it("a stream's error text has no code; a network failure says so", () => {
    expect(parseApiError(new Error("The model provider failed (500)."))).toEqual({ code: null, message: "The model provider failed (500)." });
    expect(parseApiError(new TypeError("Failed to fetch")).code).toBe("network");
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-12-02T07:00:00Z");
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("40", now)).toBe(40);
    expect(parseRetryAfter(" 5 ", now)).toBe(5);
    expect(parseRetryAfter("Wed, 02 Dec 2026 07:01:30 GMT", now)).toBe(90);
  });
  it("is undefined for nothing, zero, the past or garbage", () => {
    for (const v of [null, "", "0", "Wed, 02 Dec 2026 06:00:00 GMT", "soon", "-4", "1.5"]) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe("fetchKeepingRetryAfter", () => {
  afterEach(() => vi.unstubAllGlobals());
  const serve = (res: Response) => vi.stubGlobal("fetch", vi.fn(async () => res));

  it("copies Retry-After into a refusal's JSON body, keeping status and the rest of the body", async () => {
    serve(new Response(body("rate_limited", "Slow down.", { extra: 1 }), { status: 429, headers: { "retry-after": "40", "content-type": "application/json", "content-length": "999" } }));
    const res = await fetchKeepingRetryAfter("/api/chat", { method: "POST" });
    expect(res.status).toBe(429);
    expect(res.headers.get("content-length")).toBeNull();
    expect(await res.json()).toEqual({ error: { code: "rate_limited", message: "Slow down." }, extra: 1, retryAfterSeconds: 40 });
  });

  it("passes success, refusals without Retry-After and non-JSON bodies through unchanged", async () => {
    const ok = new Response("data: {}\n\n", { status: 200, headers: { "retry-after": "3" } });
    serve(ok);
    expect(await fetchKeepingRetryAfter("/api/chat")).toBe(ok);
    const plain = new Response(body("payload_too_large", "Too big"), { status: 413 });
    serve(plain);
    expect(await fetchKeepingRetryAfter("/api/chat")).toBe(plain);
    serve(new Response("Service Unavailable", { status: 503, headers: { "retry-after": "5" } }));
    const text = await fetchKeepingRetryAfter("/api/chat");
    expect([text.status, await text.text()]).toEqual([503, "Service Unavailable"]);
  });
});

describe("what a refusal means for the typed message", () => {
  it("429s and 503s may come after the message was stored (the gateway's, or the turn's guard at its first call); others never", () => {
    for (const info of [
      { code: "rate_limited", message: "" },
      { code: "rate_limited", message: "", limit: "user_tpm" },
      { code: "unavailable", message: "" },
      { code: "budget_exceeded", message: "" },
      { code: "rate_limited", message: "", reason: "budget_exceeded" },
    ]) {
      expect(mayHaveStored(info), JSON.stringify(info)).toBe(true);
    }
    for (const code of ["payload_too_large", "validation_failed", "unauthorized", "network", "forbidden", "csrf_refused"]) {
      expect(mayHaveStored({ code, message: "" })).toBe(false);
    }
    expect(waitSentence({ code: "unavailable", message: "", limit: "audit_backlog" }, false, 5)).toBe("You can send again in 5 s");
  });

  it("drops the server's fixed 'in N s' while the live countdown says it", () => {
    expect(withoutStaticWait("You have sent 1 turn this minute, your limit. You can send again in 40 s.")).toBe("You have sent 1 turn this minute, your limit.");
    expect(withoutStaticWait("You already have 3 turns running, your limit of 3 at once. Wait for one to finish; you can send again in 3 s.")).toBe(
      "You already have 3 turns running, your limit of 3 at once. Wait for one to finish.",
    );
    expect(withoutStaticWait("New turns are paused for a moment; you can send again in 5 s.")).toBe("New turns are paused for a moment.");
    expect(withoutStaticWait("Your budget is used up.")).toBe("Your budget is used up.");
    expect(withoutStaticWait("Try again in 5 s")).toBe("Try again in 5 s");
  });

  it("counts down in words", () => {
    expect(waitSentence({ code: "rate_limited", message: "" }, false, 40)).toBe("You can send again in 40 s");
    expect(waitSentence({ code: "budget_exceeded", message: "" }, false, 3 * 86_400)).toBe("You can send again in 3 days");
    expect(waitSentence({ code: "unavailable", message: "" }, false, 5)).toBe("Try again in 5 s");
    expect(waitSentence({ code: "rate_limited", message: "" }, true, 5)).toBe("Try again in 5 s");
    expect([formatWait(0.2), formatWait(59), formatWait(60), formatWait(250), formatWait(3600), formatWait(7_500), formatWait(2 * 86_400)]).toEqual([
      "1 s",
      "59 s",
      "1 min",
      "4 min 10 s",
      "1 h",
      "2 h 5 min",
      "2 days",
    ]);
  });
});
