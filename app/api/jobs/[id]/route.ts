import { json, withPrincipal } from "@/lib/http/route";
import { jobs } from "@/lib/jobs";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** { id, kind, status, progress } (+ downloadUrl for a ready export) to the job's owner or whoever started it; else 404. */
export const GET = withPrincipal<Params>(async (_req, principal, { params }) => json(await jobs().get(params.id, principal)), {
  permission: "signed-in",
});
