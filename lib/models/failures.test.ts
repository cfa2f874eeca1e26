import { describe, expect, it } from "vitest";
import { APICallError } from "ai";
import { classifyFailure, retryAfterFrom } from "./failures";

const apiError = (statusCode: number | undefined, opts: { headers?: Record<string, string>; body?: string } = {}) =>
  new APICallError({ message: "x", url: "http://m/v1", requestBodyValues: {}, statusCode, responseHeaders: opts.headers, responseBody: opts.body });

describe("attempt failures", () => {
  it("reads when to come back from retry-after-ms, Retry-After seconds or HTTP date, and the body", () => {
    expect(retryAfterFrom({ "retry-after-ms": "1500" })).toBe(1500);
    expect(retryAfterFrom({ "Retry-After": "2" })).toBe(2000);
    const now = Date.parse("2026-12-01T00:00:00Z");
    expect(retryAfterFrom({ "retry-after": "Tue, 01 Dec 2026 00:00:30 GMT" }, undefined, now)).toBe(30_000);
    expect(retryAfterFrom({}, '{"error":{"message":"Rate limit reached. Please try again in 1.5s."}}')).toBe(1500);
    expect(retryAfterFrom({}, '{"error":{"message":"Please try again in 20ms"}}')).toBe(20);
    expect(retryAfterFrom({}, '{"retry_after": 3}')).toBe(3000);
    expect(retryAfterFrom({ "retry-after": "soon" })).toBeUndefined();
  });

  it("classifies by status: 429 waits or fails over and opens the breaker; quota, 4xx never retry the same deployment", () => {
    expect(classifyFailure(apiError(429, { headers: { "retry-after": "1" } }))).toMatchObject({ kind: "rate_limited", retrySame: true, failover: true, openNow: true, retryAfterMs: 1000 });
    expect(classifyFailure(apiError(429, { body: '{"error":{"code":"insufficient_quota"}}' }))).toMatchObject({ kind: "quota", retrySame: false, failover: true });
    expect(classifyFailure(apiError(400))).toMatchObject({ kind: "bad_request", retrySame: false, failover: false });
    expect(classifyFailure(apiError(401))).toMatchObject({ kind: "auth", retrySame: false, openNow: true });
    expect(classifyFailure(apiError(403))).toMatchObject({ kind: "auth", retrySame: false, openNow: false });
    expect(classifyFailure(apiError(404))).toMatchObject({ kind: "not_found", retrySame: false, openNow: true });
    expect(classifyFailure(apiError(503))).toMatchObject({ kind: "provider_error", retrySame: true });
  });

  it("a body that broke off after a 200 is a broken stream, not an unreachable provider", () => {
    expect(classifyFailure(apiError(200, { headers: {} }))).toMatchObject({ kind: "stream_broken" });
    expect(classifyFailure(apiError(undefined))).toMatchObject({ kind: "unreachable" });
    expect(classifyFailure(new TypeError("terminated"))).toMatchObject({ kind: "stream_broken" });
  });
});
