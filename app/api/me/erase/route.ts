import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";
import { EraseBody, startMyErasure } from "@/lib/privacy/erasure";

export const dynamic = "force-dynamic";

/** Erases my data, `{ scope: "account" | "content" }`: 202 with the job's id (follow it at /api/jobs/:id). */
export const POST = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, EraseBody, { maxBytes: 1024 });
    const { id } = await startMyErasure(principal, body, { requestId });
    return json({ id }, { status: 202, headers: { location: `/api/jobs/${id}` } });
  },
  { permission: "data.erase.own", reveal: true },
);
