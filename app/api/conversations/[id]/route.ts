import {
  deleteConversation,
  getConversation,
  renameConversation,
  RenameSchema,
} from "@/lib/conversations/queries";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = withPrincipal<Params>(
  async (_req, principal, { params }) => json(await getConversation(principal, params.id)),
  {
    permission: "conversation.read.own",
  },
);

export const PATCH = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const { title } = await readJsonBody(req, RenameSchema, { maxBytes: 4096 });
    return json(await renameConversation(principal, params.id, title, { requestId }));
  },
  // The refusal does not depend on the id (checked before any lookup), so it may say why.
  { permission: "conversation.write.own", reveal: true },
);

export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await deleteConversation(principal, params.id, { requestId });
    return new Response(null, { status: 204 });
  },
  // The refusal does not depend on the id (checked before any lookup), so it may say why.
  { permission: "conversation.write.own", reveal: true },
);
