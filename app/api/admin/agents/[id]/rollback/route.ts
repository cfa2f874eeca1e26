import { z } from "zod";
import { rollbackAgent } from "@/lib/agents/versions";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** A new version copying { toVersion } (0: the built-in default), based on { baseVersion }: 200, 404, 409 or 422. */
export const POST = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, z.unknown(), { maxBytes: 4_096 });
    return json(await rollbackAgent(principal, { id: params.id, body }, { requestId }));
  },
  { permission: "agent.edit" },
);
