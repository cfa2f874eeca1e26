import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { EnclaveUIMessage } from "@/lib/chat/ui-messages";
import { MessageItem } from "../message-item";

const parts = [
  { type: "data-trace", id: "plan", data: { kind: "plan", status: "done", source: "rules", fallbackReason: "the model's plan was invalid", specialists: [{ agent: "calculation", task: "15% of 240" }, { agent: "research", task: "the launch" }], tier: "small", latencyMs: 200 } },
  { type: "data-trace", id: "branch:calculation", data: { kind: "branch", agent: "calculation", task: "15% of 240", status: "done", tier: "small", model: "offline-small", startedAt: 1, latencyMs: 300, output: "15% of 240 = 36" } },
  { type: "data-trace", id: "branch:research", data: { kind: "branch", agent: "research", task: "the launch", status: "running", tier: "small", startedAt: 1 } },
  { type: "data-trace", id: "broken", data: { kind: "branch", agent: "nobody" } },
  { type: "text", text: "The answer" },
] as unknown as EnclaveUIMessage["parts"];

const html = (status: "streaming" | "complete", p = parts) =>
  renderToStaticMarkup(<MessageItem message={{ id: "a1", role: "assistant", parts: p, metadata: { status } }} status={status} />);

describe("the agent trace in an assistant message", () => {
  it("while the turn runs: open, each branch with its state, tier and model, the rules plan noted", () => {
    const out = html("streaming");
    expect(out).toContain('aria-expanded="true"');
    expect(out).toContain('data-agent="calculation" data-status="done"');
    expect(out).toContain('data-agent="research" data-status="running"');
    expect(out).toContain("done in 0.3 s");
    expect(out).toContain("offline-small");
    expect(out).toContain("(rules plan: the model&#x27;s plan was invalid)");
    expect(out).toContain("motion-safe:animate-spin");
    expect(out).toContain("Calculation done in 0.3 s, 1 of 2 finished.");
    // Outputs wait for the expanded, settled trace.
    expect(out).not.toContain("15% of 240 = 36");
    // The trace sits above the answer.
    expect(out.indexOf("agent-trace")).toBeLessThan(out.indexOf("The answer"));
  });

  it("once the answer is done: one collapsed line, a real button, nothing announced", () => {
    const out = html("complete");
    expect(out).toMatch(/<button type="button" aria-expanded="false" aria-controls="[^"]+"[^>]*>.*2 specialists · 0\.5 s/);
    expect(out).not.toContain('data-testid="trace-body"');
    expect(out).toContain('data-testid="trace-announcement"></p>');
    expect(out).not.toContain("animate-spin");
  });

  it("a message whose trace parts are all broken renders as a plain answer", () => {
    const out = html("complete", [{ type: "data-trace", id: "plan", data: 42 }, { type: "text", text: "Just text" }] as unknown as EnclaveUIMessage["parts"]);
    expect(out).not.toContain("agent-trace");
    expect(out).toContain("Just text");
  });
});
