import { listUsers, ListUsersQuery } from "@/lib/admin";
import { AppError } from "@/lib/errors/app-error";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(
  async (req, principal, { requestId }) => {
    const parsed = ListUsersQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) throw AppError.fromZod(parsed.error, "bad_request");
    return json(await listUsers(principal, parsed.data, { requestId }));
  },
  { permission: "user.manage" },
);
