import { describe, expect, it } from "vitest";
import { addMemory, listMemories } from "@/lib/memory/memories";
import { runChatTurn } from "./turn";
import { drain, request, rows, setUpTurnTests } from "./turn-test-kit";

const kit = setUpTurnTests();

describe(`memory in the chat turn (${process.env.ENCLAVE_TEST_DB})`, () => {
  it("recalls only the requester's own memories into the turn's trace", async () => {
    await addMemory(kit.alice, { text: "Alice works on the harbour bridge project" });
    await addMemory(kit.frank, { text: "Frank works on the harbour bridge project too" });
    const req = request("What do you know about the harbour bridge project?");
    await drain(await runChatTurn(kit.alice, req, { requestId: "mem-1" }));
    const reply = (await rows(kit, req.id))[1]!;
    const memory = (reply.parts as Array<{ type: string; id?: string; data?: { items: Array<{ text: string }> } }>).find((p) => p.id === "memory");
    expect(memory?.data?.items.map((i) => i.text)).toEqual(["Alice works on the harbour bridge project"]);
  });

  it("a memory the agent proposes in a turn is saved for that turn's user only", async () => {
    const req = request("Remember that I prefer metric units");
    await drain(await runChatTurn(kit.alice, req, { requestId: "mem-2" }));
    const mine = await listMemories(kit.alice, {});
    expect(mine.items.some((m) => /metric units/i.test(m.text) && m.origin === "agent")).toBe(true);
    expect((await listMemories(kit.frank, {})).items.some((m) => /metric units/i.test(m.text))).toBe(false);
  });
});
