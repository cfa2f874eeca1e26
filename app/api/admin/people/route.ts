import { searchPeople, SearchPeopleQuery } from "@/lib/admin";
import { AppError } from "@/lib/errors/app-error";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Enabled people of the org by name or email, to pick as a team's member or manager. */
export const GET = withPrincipal(
  async (req, principal, { requestId }) => {
    const parsed = SearchPeopleQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) throw AppError.fromZod(parsed.error, "bad_request");
    return json({ items: await searchPeople(principal, parsed.data, { requestId }) });
  },
  { permission: "team.manage" },
);
