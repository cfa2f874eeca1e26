import { recallMemories } from "@/lib/memory/memories";
import type { TurnContext } from "./turn-context";

export interface Recalled {
  id: string;
  text: string;
}

/**
 * Stage 3: the requesting user's own long-term memories that bear on this message, for the
 * orchestrator (lib/memory finds them by the words they share, through the blind index of the encrypted text). Scoped by ctx.principal and nothing
 * else, so only this user's memories are candidates; none when the user switched memory off.
 */
export async function recall(ctx: TurnContext, text: string): Promise<Recalled[]> {
  return recallMemories(ctx.principal, text);
}
