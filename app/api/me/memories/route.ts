import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";
import { AddMemorySchema, addMemory, listMemories } from "@/lib/memory";

export const dynamic = "force-dynamic";

/** My memories: ?q= (text contains), ?status=active|proposed, ?limit=, ?cursor=. */
export const GET = withPrincipal(
  async (req, principal) => {
    const params = Object.fromEntries(new URL(req.url).searchParams);
    return json(await listMemories(principal, params));
  },
  { permission: "memory.manage.own", reveal: true },
);

export const POST = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, AddMemorySchema, { maxBytes: 16 * 1024 });
    return json(await addMemory(principal, body, { requestId }), { status: 201 });
  },
  { permission: "memory.manage.own", reveal: true },
);
