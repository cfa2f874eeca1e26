import { revokeApiKey } from "@/lib/apikeys";
import { withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** Revoke (idempotent). Someone else's key id answers 404, exactly like a missing one. */
export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await revokeApiKey(principal, params.id, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "apikey.manage.own", reveal: true },
);
