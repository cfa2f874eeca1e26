import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";
import { BudgetBody, removeBudget, setBudget } from "@/lib/usage/admin-budgets";

export const dynamic = "force-dynamic";

type Params = { scope: string; subject: string };

export const PUT = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, BudgetBody, { maxBytes: 4096 });
    return json(await setBudget(principal, { scope: params.scope, subject: params.subject, body }, { requestId }));
  },
  { permission: "budget.manage" },
);

export const DELETE = withPrincipal<Params>(
  async (_req, principal, { params, requestId }) => {
    await removeBudget(principal, { scope: params.scope, subject: params.subject }, { requestId });
    return new Response(null, { status: 204 });
  },
  { permission: "budget.manage" },
);
