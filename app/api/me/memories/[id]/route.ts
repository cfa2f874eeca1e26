import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";
import { deleteMemory, editMemory, EditMemorySchema } from "@/lib/memory";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** New text and/or { status: "active" } to accept a proposed memory. Not mine: 404. */
export const PATCH = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, EditMemorySchema, { maxBytes: 16 * 1024 });
    return json(await editMemory(principal, params.id, body, { requestId }));
  },
  { permission: "memory.manage.own", reveal: true },
);

/** Deletes one of my memories (for a proposed one: rejects it). Not mine: 404. */
export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await deleteMemory(principal, params.id, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "memory.manage.own", reveal: true },
);
