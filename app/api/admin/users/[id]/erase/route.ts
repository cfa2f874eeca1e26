import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";
import { EraseBody, startErasureOf } from "@/lib/privacy/erasure";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** Erases a person's data, `{ scope: "account" | "content" }`: 202 with the job's id, which is the admin's to follow. */
export const POST = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, EraseBody, { maxBytes: 1024 });
    const { id } = await startErasureOf(principal, params.id, body, { requestId });
    return json({ id }, { status: 202, headers: { location: `/api/jobs/${id}` } });
  },
  { permission: "user.manage" },
);
