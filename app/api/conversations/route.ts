import { listConversations, ListQuerySchema } from "@/lib/conversations/queries";
import { AppError } from "@/lib/errors/app-error";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(
  async (req, principal) => {
    const url = new URL(req.url);
    const parsed = ListQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw AppError.fromZod(parsed.error, "bad_request");
    return json(await listConversations(principal, parsed.data));
  },
  { permission: "conversation.read.own" },
);
