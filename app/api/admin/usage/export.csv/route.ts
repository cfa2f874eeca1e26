import { withPrincipal } from "@/lib/http/route";
import { exportUsageCsv } from "@/lib/usage/dashboard";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(
  async (req, principal) => {
    const { filename, body } = await exportUsageCsv(principal, new URL(req.url).searchParams);
    return new Response(body, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" },
    });
  },
  { permission: "usage.read.team" },
);
