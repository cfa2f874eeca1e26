import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { currentRequestContext } from "@/lib/observability/context";
import type { Principal } from "@/lib/principal";

const principal = { userId: "u-1", orgId: "o-1", permissions: new Set<string>() } as unknown as Principal;
vi.mock("@/lib/auth/principal", () => ({ getPrincipal: async () => principal }));

const { action } = await import("./action");

describe("server actions", () => {
  it("carry a request id of their own, like route handlers: in the body's context and handed to it", async () => {
    const seen: Array<{ ctx: unknown; requestId: string }> = [];
    const act = action({ permission: "signed-in", input: z.object({ n: z.string() }) }, async (_p, input, { requestId }) => {
      seen.push({ ctx: currentRequestContext(), requestId });
      return input.n;
    });
    const form = new FormData();
    form.set("n", "1");
    expect(await act(form)).toEqual({ ok: true, data: "1" });
    expect(await act(null, { n: "2" })).toEqual({ ok: true, data: "2" });
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(s.ctx).toEqual({ requestId: s.requestId, userId: "u-1", orgId: "o-1" });
    }
    expect(seen[0]!.requestId).not.toBe(seen[1]!.requestId);
    expect(currentRequestContext()).toBeUndefined();
  });
});
