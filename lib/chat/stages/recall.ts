import type { TurnContext } from "./turn-context";

export interface Recalled {
  id: string;
  text: string;
}

/**
 * Stage 3: the requesting user's own long-term memories that bear on this message, for the
 * orchestrator. Long-term memory (lib/memory) is not built yet, so nothing is recalled; when it
 * lands, this stage asks it, scoped by ctx.principal and nothing else.
 */
export async function recall(_ctx: TurnContext, _text: string): Promise<Recalled[]> {
  return [];
}
