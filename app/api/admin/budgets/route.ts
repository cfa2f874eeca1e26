import { json, withPrincipal } from "@/lib/http/route";
import { getBudgetsOverview } from "@/lib/usage/admin-budgets";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async (_req, principal) => json(await getBudgetsOverview(principal)), { permission: "budget.manage" });
