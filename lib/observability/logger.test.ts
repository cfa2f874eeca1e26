import { describe, expect, it } from "vitest";
import { runWithRequestContext, setRequestPrincipal } from "./context";
import { createLogger, isSecretFieldName, logFormat, prettyDestination, sanitizeLogValue } from "./logger";

function memoryLogger(level = "info") {
  const lines: string[] = [];
  const log = createLogger({ write: (s: string) => void lines.push(s) }, level);
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, parsed, text: () => lines.join("") };
}

const ENC_KEY = `enc_ABCDEFGH_${"k9Xq2LmN7pR4sT1vW8yZ3bC6dF0gH5jK-_aQeUiOoPl".slice(0, 43)}`;
const OPENAI_KEY = "sk-proj-Zx81Lq0pWm3N7vBc2RtYu6IoPaSdFgHjKl";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const OPAQUE_BEARER = "opaque-token-7f3a9c1e5b";
const COOKIE = "authjs.session-token=cookieValue1234567890; theme=dark";
const PASSWORD = "hunter2";

describe("logger: secrets never reach the output", () => {
  it("masks secrets in objects, nested headers, messages and errors; keeps the rest", () => {
    expect(ENC_KEY).toHaveLength("enc_ABCDEFGH_".length + 43);
    const { log, text, parsed } = memoryLogger();

    log.info({ user: "alice@acme.test", apiKey: ENC_KEY, model: "gpt-5" }, "created a key");
    log.info(`the key is ${ENC_KEY} and the provider key is ${OPENAI_KEY}`);
    log.warn(
      { config: { note: `OPENAI_API_KEY=${OPENAI_KEY}`, openaiApiKey: OPENAI_KEY, region: "eu" } },
      "config loaded",
    );
    log.info(`login attempt with password=${PASSWORD} for bob`);
    log.info(
      {
        req: {
          method: "POST",
          url: "/api/chat",
          headers: { authorization: `Bearer ${OPAQUE_BEARER}`, "content-type": "application/json" },
        },
      },
      "incoming",
    );
    log.info(
      { headers: { Authorization: `Bearer ${BEARER}`, cookie: COOKIE, "x-request-id": "req-12345678" } },
      "proxy headers",
    );
    log.info(
      { deep: { a: { b: { c: { d: { session: { Cookie: COOKIE, ok: "visible-deep" } } } } } } },
      "deep",
    );
    log.info({ line: `Cookie: ${COOKIE}` }, "raw header line");
    log.info({ line: `Authorization: Bearer ${OPAQUE_BEARER}` }, "raw auth line");
    log.info(
      { headers: new Headers({ authorization: `Bearer ${OPAQUE_BEARER}`, accept: "text/plain" }) },
      "a Headers object",
    );
    log.error(
      { err: new Error(`provider refused key ${OPENAI_KEY} (status 401)`), attempt: 2 },
      "model call failed",
    );
    log.error(new Error(`bad key ${ENC_KEY}`));
    log.error({ err: new Error(`sign-in refused for password=${PASSWORD}`) });
    log.info("interpolated %s and %j", ENC_KEY, { password: PASSWORD, kept: "interp-kept" });
    const child = log.child({ component: "proxy", token: OPAQUE_BEARER });
    child.info({ inputTokens: 12, outputTokens: 34, maxTokens: 100 }, "tokens are counts, not secrets");

    const out = text();
    for (const secret of [ENC_KEY, OPENAI_KEY, BEARER, OPAQUE_BEARER, "cookieValue1234567890", PASSWORD]) {
      expect(out, `${secret} leaked`).not.toContain(secret);
    }
    // The non-secret parts are all still there.
    for (const kept of [
      "alice@acme.test",
      "gpt-5",
      "created a key",
      "the key is",
      "provider key is",
      "eu",
      "for bob",
      "/api/chat",
      "application/json",
      "req-12345678",
      "visible-deep",
      "text/plain",
      "(status 401)",
      "provider refused key",
      "model call failed",
      "bad key",
      "sign-in refused for",
      "interp-kept",
      "tokens are counts",
      "proxy",
    ]) {
      expect(out, `${kept} missing`).toContain(kept);
    }

    const lines = parsed();
    expect(
      lines.every(
        (l) => l.service === "enclave" && typeof l.time === "string" && typeof l.level === "number",
      ),
    ).toBe(true);
    const err = lines.find((l) => l.msg === "model call failed")!;
    expect(err).toMatchObject({ attempt: 2, err: { type: "Error" } });
    expect((err.err as { stack: string }).stack).toContain("logger.test.ts");
    const bare = lines.find((l) => typeof l.msg === "string" && (l.msg as string).startsWith("bad key"))!;
    expect(bare.msg).toBe("bad key [secret]");
    expect(lines.find((l) => (l.msg as string).startsWith("sign-in refused"))!.msg).toBe(
      "sign-in refused for password=[secret]",
    );
    expect(lines.find((l) => l.msg === "tokens are counts, not secrets")).toMatchObject({
      inputTokens: 12,
      outputTokens: 34,
      maxTokens: 100,
    });
  });

  it("a line logged inside a request context carries its requestId, then userId and orgId", async () => {
    const { log, parsed } = memoryLogger();
    log.info("outside");
    await runWithRequestContext({ requestId: "req-ctx-1" }, async () => {
      log.info("before auth");
      setRequestPrincipal({ userId: "user-1", orgId: "org-1" });
      await new Promise((r) => setTimeout(r, 1));
      log.info({ step: "x" }, "after auth, across an await");
      log.info({ requestId: "explicit", userId: "someone" }, "explicit fields win");
    });
    const [outside, before, after, explicit] = parsed();
    expect(outside).not.toHaveProperty("requestId");
    expect(before).toMatchObject({ requestId: "req-ctx-1" });
    expect(before).not.toHaveProperty("userId");
    expect(after).toMatchObject({ requestId: "req-ctx-1", userId: "user-1", orgId: "org-1", step: "x" });
    expect(explicit).toMatchObject({ requestId: "explicit", userId: "someone", orgId: "org-1" });
  });

  it("concurrent requests do not see each other's context", async () => {
    const { log, parsed } = memoryLogger();
    await Promise.all(
      ["a", "b", "c"].map((id) =>
        runWithRequestContext({ requestId: `req-${id}` }, async () => {
          setRequestPrincipal({ userId: `user-${id}`, orgId: "org" });
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          log.info({ id }, "work");
        }),
      ),
    );
    for (const l of parsed()) expect(l).toMatchObject({ requestId: `req-${l.id}`, userId: `user-${l.id}` });
  });

  it("honours the level it is given", () => {
    const { log, lines } = memoryLogger("warn");
    log.info("quiet");
    log.warn("loud");
    expect(lines).toHaveLength(1);
  });
});

describe("logger: readable lines on a terminal", () => {
  it("LOG_FORMAT wins; unset, a terminal gets pretty lines and anything else JSON", () => {
    expect(logFormat(undefined, true)).toBe("pretty");
    expect(logFormat(undefined, false)).toBe("json");
    expect(logFormat("json", true)).toBe("json");
    expect(logFormat("pretty", false)).toBe("pretty");
  });

  it("prints a readable line per entry, with the same secrets masked as in JSON", () => {
    const lines: string[] = [];
    const log = createLogger(prettyDestination({ write: (s: string) => void lines.push(s) }, false), "info");

    log.info({ user: "alice@acme.test", apiKey: ENC_KEY, headers: { cookie: COOKIE } }, "created a key");
    log.warn(`provider key ${OPENAI_KEY} refused for password=${PASSWORD}`);
    log.error({ err: new Error(`bad bearer ${BEARER}`), attempt: 2 }, "model call failed");
    log.debug("below the level");

    const out = lines.join("");
    for (const secret of [ENC_KEY, OPENAI_KEY, BEARER, "cookieValue1234567890", PASSWORD]) {
      expect(out, `${secret} leaked`).not.toContain(secret);
    }
    expect(lines).toHaveLength(3);
    // "[12:03:04.567] INFO: created a key", its fields indented below; not JSON.
    expect(lines[0]).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: created a key\n/);
    expect(lines[0]).toContain('user: "alice@acme.test"');
    expect(lines[0]).toContain('apiKey: "[redacted]"');
    expect(lines[1]).toMatch(/ WARN: provider key \S+ refused for password=\[secret\]\n$/);
    expect(lines[2]).toMatch(/ ERROR: model call failed\n/);
    expect(lines[2]).toContain("attempt: 2");
    expect(lines[2]).toContain("logger.test.ts"); // the error's stack
    expect(out).not.toContain('"level":');
    expect(out).not.toContain("service");
    // No colour codes when told not to colour.
    expect(out).not.toContain("\u001b[");
  });
});

describe("sanitizeLogValue", () => {
  it("names that hold secrets vs. counts", () => {
    for (const k of [
      "password",
      "apiKey",
      "api_key",
      "OPENAI_API_KEY",
      "Authorization",
      "set-cookie",
      "accessToken",
      "clientSecret",
      "METRICS_TOKEN",
    ]) {
      expect(isSecretFieldName(k), k).toBe(true);
    }
    for (const k of ["inputTokens", "outputTokens", "maxTokens", "tokenCount", "model", "requestId", "key"]) {
      expect(isSecretFieldName(k), k).toBe(false);
    }
  });

  it("survives cycles and shared references, drops prompt bodies from errors", () => {
    const shared = { v: 1 };
    const o: Record<string, unknown> = { a: shared, b: shared };
    o.self = o;
    expect(sanitizeLogValue(o)).toEqual({ a: { v: 1 }, b: { v: 1 }, self: "[Circular]" });
    const e = Object.assign(new Error("boom"), {
      requestBodyValues: { prompt: "private words" },
      statusCode: 500,
    });
    const s = sanitizeLogValue(e) as Record<string, unknown>;
    expect(s).toMatchObject({ type: "Error", message: "boom", statusCode: 500 });
    expect(JSON.stringify(s)).not.toContain("private words");
  });
});
