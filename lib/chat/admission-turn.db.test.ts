import { describe, expect, it } from "vitest";
import { onTurnEvent, type TurnEvent } from "@/lib/observability/turn-events";
import { runChatTurn } from "./turn";
import { drain, request, rows, setUpTurnTests, useEnv, useMock } from "./turn-test-kit";

const kit = setUpTurnTests();

function recordSteps(): { steps: TurnEvent[]; stop: () => void } {
  const steps: TurnEvent[] = [];
  const stop = onTurnEvent((e) => steps.push(e));
  return { steps, stop };
}

describe(`admission, the turn's first stage (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("over the per-user requests per minute: 429 rate_limited with Retry-After, nothing stored, the refusal recorded", async () => {
    useEnv({ RATE_LIMIT_USER_RPM: "2" });
    for (let i = 0; i < 2; i++) await drain(await runChatTurn(kit.frank, request(`turn ${i}`), { requestId: `rpm-${i}` }));
    const { steps, stop } = recordSteps();
    const third = request("one too many");
    try {
      const err = await runChatTurn(kit.frank, third, { requestId: "rpm-3" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: "rate_limited", status: 429, reason: "user_rpm" });
      const res = (err as { toResponse(): Response }).toResponse();
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/send again in \d+ s/i);
    } finally {
      stop();
    }
    // Refused before persistence: no conversation, no message.
    expect(await rows(kit, third.id)).toEqual([]);
    expect(steps.map((s) => [s.step, s.conversationId])).toEqual([
      ["request_received", null],
      ["admission_refused", null],
    ]);
    expect(steps[1]!.data).toMatchObject({ error: "rate_limited", reason: "user_rpm" });
  });

  it("over the concurrency cap: the extra turn is refused without touching the model, and a finished turn frees its slot", async () => {
    useMock(kit, { USER_MAX_CONCURRENT_TURNS: "1" });
    const first = await runChatTurn(kit.alice, request("slow one [[mock:delay-token=20]]"), { requestId: "cc-1" });
    const before = kit.mock.requests().length;
    await expect(runChatTurn(kit.alice, request("second at once"), { requestId: "cc-2" })).rejects.toMatchObject({ code: "rate_limited", reason: "concurrency" });
    expect(kit.mock.requests().length).toBe(before);
    await drain(first);
    await first.done;
    const third = await runChatTurn(kit.alice, request("after the first"), { requestId: "cc-3" });
    await drain(third);
    expect((await third.done).status).toBe("complete");
  });

  it("a token limit the turn's first call would pass is a 429 before anything streams; the user's message is kept", async () => {
    useMock(kit, { RATE_LIMIT_USER_TPM: "50" });
    const req = request("a question that needs more tokens than the limit allows");
    const turn = await runChatTurn(kit.alice, req, { requestId: "tpm-1" });
    await expect(turn.opened()).rejects.toMatchObject({ code: "rate_limited", status: 429, reason: "user_tpm" });
    expect(kit.mock.requests()).toHaveLength(0);
    const [user, reply] = await rows(kit, req.id);
    expect(user).toMatchObject({ role: "user", status: "complete" });
    expect(reply).toMatchObject({ role: "assistant", status: "error" });
  });
});
