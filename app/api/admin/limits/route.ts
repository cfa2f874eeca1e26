import { json, withPrincipal } from "@/lib/http/route";
import { getLimitsOverview } from "@/lib/limits/admin";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async (_req, principal) => json(await getLimitsOverview(principal)), { permission: "budget.manage" });
