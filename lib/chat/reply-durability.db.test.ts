import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { unsafeHeartbeat } from "@/lib/db/reply-recovery";
import { onTurnEvent, type TurnEvent } from "@/lib/observability/turn-events";
import { instanceId, recoverOrphanedReplies } from "./recovery";
import { runChatTurn } from "./turn";
import { drain, request, rows, setUpTurnTests, textOf, useMock } from "./turn-test-kit";

/** Nothing the model said is lost: odd characters, a failing final write, a process that dies. */
const kit = setUpTurnTests();
const pglite = process.env.ENCLAVE_TEST_DB === "pglite";

describe(`reply durability (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("stores a reply containing NUL bytes and lone surrogates (cleaned), not leaving it streaming", async () => {
    useMock(kit);
    kit.mock.enqueueFaults({ model: "mock-large", reply: "before\u0000after \uD800 lone and 😀 kept" });
    const req = request("odd characters please");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r-nul" });
    await drain(turn);
    expect((await turn.done).status).toBe("complete");
    const reply = (await rows(kit, req.id))[1]!;
    expect(reply.status).toBe("complete");
    expect((reply.parts as Array<{ type: string }>).filter((p) => p.type === "text")).toEqual([{ type: "text", text: "beforeafter \uFFFD lone and 😀 kept" }]);
  });

  it("retries a final write that fails, and the finished reply is stored", async () => {
    useMock(kit);
    const fails = failFinalWrites(2);
    try {
      const req = request("a reply whose first saves fail");
      const turn = await runChatTurn(kit.alice, req, { requestId: "r-retry" });
      await drain(turn);
      expect((await turn.done).status).toBe("complete");
      expect(fails.calls).toBe(3);
      expect((await rows(kit, req.id))[1]!.status).toBe("complete");
    } finally {
      fails.restore();
    }
  });

  it("when the final write keeps failing, keeps the text as an error and tells the reader the truth", async () => {
    useMock(kit);
    const fails = failFinalWrites(Infinity, { spareErrorWrite: true });
    try {
      const req = request("a reply that cannot be saved");
      const turn = await runChatTurn(kit.alice, req, { requestId: "r-unsaved" });
      const chunks = await drain(turn);
      const outcome = await turn.done;
      expect(outcome.status).toBe("error");
      expect(outcome.failure?.kind).toBe("storage");
      expect(chunks.at(-1)).toMatchObject({ type: "error", errorText: expect.stringMatching(/could not save/i) });
      const reply = (await rows(kit, req.id))[1]!;
      expect(reply.status).toBe("error");
      expect(reply.error).toMatch(/could not save/i);
      expect(JSON.stringify(reply.parts)).toContain(textOf(chunks));
    } finally {
      fails.restore();
    }
  });

  it("saves the partial text while the reply streams", async () => {
    useMock(kit, { STREAM_CHECKPOINT_MS: "150" });
    const req = request("a slow reply [[mock:delay-token=40]] with quite a few words in it so that it streams for a while");
    const turn = await runChatTurn(kit.alice, req, { requestId: "r-ckpt" });
    const reader = turn.chunks().getReader();
    let seen = "";
    await vi.waitFor(
      async () => {
        const { value } = await reader.read();
        if (value?.type === "text-delta") seen += value.delta;
        const reply = (await rows(kit, req.id))[1]!;
        expect(reply.status).toBe("streaming");
        expect((reply.parts as Array<{ type: string; text?: string }>).find((p) => p.type === "text")?.text?.length ?? 0).toBeGreaterThan(0);
      },
      { timeout: 5000, interval: 20 },
    );
    await reader.cancel();
    await turn.done;
    expect(seen.length).toBeGreaterThan(0);
  });

  it("closes a reply whose server process died, keeping its saved text, and closes its audit timeline", async () => {
    const events: TurnEvent[] = [];
    const off = onTurnEvent((e) => events.push(e));
    try {
      const dead = await placeholder("dead-instance", "what arrived before the crash");
      // A reply streamed by a live process of another instance is left alone (several instances share PostgreSQL).
      await unsafeHeartbeat("alive-instance");
      const alive = await placeholder("alive-instance", "still streaming elsewhere");
      const mine = await placeholder(instanceId(), "streaming here");

      const closed = (await recoverOrphanedReplies()).map((o) => o.id);
      expect(closed).toContain(dead.messageId);
      expect(closed).not.toContain(mine.messageId);
      // Embedded mode has one process: any other instance's reply is an orphan.
      expect(closed.includes(alive.messageId)).toBe(pglite);

      const row = (await rows(kit, dead.conversationId))[1]!;
      expect(row.status).toBe("interrupted");
      expect(row.parts).toEqual([{ type: "text", text: "what arrived before the crash" }]);
      expect(row.error).toMatch(/server stopped/i);
      // Its saved text is searchable like any finished reply (the blind index is written on recovery).
      expect((await db.for(kit.alice).search.messages("arrived before the crash")).map((h) => h.messageId)).toContain(dead.messageId);
      expect(events.find((e) => e.requestId === dead.requestId)).toMatchObject({
        step: "response_interrupted",
        conversationId: dead.conversationId,
        data: { assistantMessageId: dead.messageId, recovered: true },
      });
      // Sweeping again finds nothing new.
      expect((await recoverOrphanedReplies()).map((o) => o.id)).not.toContain(dead.messageId);
    } finally {
      off();
    }
  });
});

let seq = 0;
/** A turn started by `instance` that saved `text` and then stopped (as if its process died). */
async function placeholder(instance: string, text: string) {
  seq++;
  const conversationId = `durability-${seq}-${Date.now()}`;
  const messageId = `${conversationId}-reply`;
  const requestId = `${conversationId}-request`;
  const scoped = db.for(kit.alice);
  await scoped.messages.startTurn({
    conversationId,
    title: "t",
    userMessage: { id: `${conversationId}-user`, parts: [{ type: "text", text: "q" }], createdAt: new Date() },
    assistantMessage: { id: messageId, model: "m", createdAt: new Date(Date.now() + 1), requestId, instanceId: instance },
  });
  await scoped.messages.saveProgress(messageId, [{ type: "text", text }]);
  return { conversationId, messageId, requestId };
}

/** Makes the next `times` final writes of a reply throw, as a dropped database connection would. */
function failFinalWrites(times: number, opts: { spareErrorWrite?: boolean } = {}) {
  const state = { calls: 0, restore: () => spy.mockRestore() };
  const original = db.for.bind(db);
  const spy = vi.spyOn(db, "for").mockImplementation((p) => {
    const scoped = original(p);
    const finish = scoped.messages.finish.bind(scoped.messages);
    scoped.messages.finish = async (id, input) => {
      if (opts.spareErrorWrite && input.status === "error") return finish(id, input);
      state.calls++;
      if (state.calls <= times) throw new Error("Connection terminated unexpectedly");
      return finish(id, input);
    };
    return scoped;
  });
  return state;
}
