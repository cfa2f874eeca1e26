import { tool } from "ai";
import { z } from "zod";
import { isAppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { proposeMemory } from "./memories";
import { MEMORY_TEXT_MAX } from "./schema";

/**
 * The agents' memory tools for one turn: a factory closing over the principal (and the turn's
 * conversation), so whatever a model writes, it can only ever save for the person whose turn it
 * is. `remember` proposes; the user's setting decides whether it is saved at once (automatic)
 * or waits for them in Settings → Memory (explicit).
 */
export function memoryTools(principal: Principal, opts: { conversationId?: string | null; requestId?: string } = {}) {
  return {
    remember: tool({
      description:
        "Save a lasting fact or preference about the user for future conversations (e.g. 'prefers metric units', 'works on the Q3 launch'). " +
        "Only things the user would want remembered; one short sentence per call.",
      inputSchema: z.object({ text: z.string().min(1).max(MEMORY_TEXT_MAX).describe("The fact to remember, as one short sentence") }),
      execute: async ({ text }) => {
        try {
          const r = await proposeMemory(principal, { text, conversationId: opts.conversationId ?? null }, { requestId: opts.requestId });
          if (!r.saved) {
            return r.reason === "memory_off"
              ? { saved: false, note: "The user has switched memory off; nothing was saved." }
              : { saved: false, note: "Already remembered.", id: r.memory?.id };
          }
          return {
            saved: true,
            id: r.memory.id,
            status: r.memory.status,
            note: r.memory.status === "proposed" ? "Proposed: the user confirms it in Settings → Memory." : "Saved.",
          };
        } catch (e) {
          return { saved: false, error: isAppError(e) ? e.message : "Could not save the memory." };
        }
      },
    }),
  };
}
