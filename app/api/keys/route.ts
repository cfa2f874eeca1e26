import { createApiKey, CreateApiKeySchema, listApiKeys } from "@/lib/apikeys";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

// `reveal`: managing one's own keys is no secret, so an API key trying it gets a clear 403.
export const GET = withPrincipal(async (_req, principal) => json({ items: await listApiKeys(principal) }), {
  permission: "apikey.manage.own",
  reveal: true,
});

export const POST = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, CreateApiKeySchema, { maxBytes: 4096 });
    return json(await createApiKey(principal, body, { requestId }), { status: 201 });
  },
  { permission: "apikey.manage.own", reveal: true },
);
