import { describe, expect, it } from "vitest";
import { installUsageRecorder } from "@/lib/usage/recorder";
import { onTurnEvent, type TurnEvent } from "@/lib/observability/turn-events";
import { runChatTurn } from "./turn";
import { drain, request, rows, setUpTurnTests, useMock } from "./turn-test-kit";

const kit = setUpTurnTests();
installUsageRecorder();

describe(`budgets in the chat turn (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("a turn that spends past its budget is cut off between calls, its partial answer kept and marked; the next turn is refused at admission", async () => {
    // About one model call's worth: the plan passes, the spend then stands past the limit.
    useMock(kit, { BUDGET_USER_MONTHLY_USD: "0.01", MODEL_PRICE_DEFAULT: JSON.stringify({ inputPerMTok: 50_000, outputPerMTok: 50_000 }) });
    const steps: TurnEvent[] = [];
    const stop = onTurnEvent((e) => steps.push(e));
    const req = request("a long multi-step job [[mock:tool=clock]]");
    try {
      const turn = await runChatTurn(kit.frank, req, { requestId: "budget-1" });
      const chunks = await drain(turn);
      const outcome = await turn.done;
      expect(["error", "interrupted"]).toContain(outcome.status);
      expect(outcome.failure).toMatchObject({ kind: "budget_exceeded" });
      const errors = chunks.filter((c) => c.type === "error").map((c) => (c as { errorText: string }).errorText);
      expect(errors.join(" ")).toMatch(/budget/i);
    } finally {
      stop();
    }
    const reply = (await rows(kit, req.id))[1]!;
    expect(reply.error).toMatch(/budget/i);
    expect(steps.map((s) => s.step)).toContain("budget_cutoff");
    const calls = steps.filter((s) => s.step === "model_call");
    console.log(`budget cut-off: ${calls.length} model call(s) made before the cut`);

    // The spend is recorded: the next turn, by either door, is refused before anything is stored.
    await expect
      .poll(async () =>
        runChatTurn(kit.frank, request("one more"), { requestId: "budget-2" }).then(
          async (t) => {
            await drain(t);
            return "admitted";
          },
          (e: { code?: string }) => e.code,
        ),
      )
      .toBe("budget_exceeded");
    const next = request("and another");
    const err = (await runChatTurn(kit.frank, next, { requestId: "budget-3" }).catch((e: unknown) => e)) as { status: number; message: string; toResponse(): Response };
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/budget/i);
    expect(Number(err.toResponse().headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await rows(kit, next.id)).toEqual([]);
  });
});
