import { json, withPrincipal } from "@/lib/http/route";
import { getOrgUsage } from "@/lib/usage/dashboard";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async (req, principal) => json(await getOrgUsage(principal, new URL(req.url).searchParams)), {
  permission: "usage.read.team",
});
