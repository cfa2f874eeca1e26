import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { json, publicRoute } from "@/lib/http/route";
import { bearerMatches, renderMetrics } from "@/lib/observability/exposition";

export const dynamic = "force-dynamic";

export const GET = publicRoute(
  async (req) => {
    const token = env().METRICS_TOKEN;
    if (token && !bearerMatches(req.headers.get("authorization"), token)) {
      const body = new AppError(
        "unauthorized",
        "Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.",
      ).toBody();
      return json(body, { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
    }
    const { contentType, body } = await renderMetrics();
    return new Response(body, {
      status: 200,
      headers: { "content-type": contentType, "cache-control": "no-store" },
    });
  },
  {
    reason:
      "Prometheus scrapes it with no user session; when METRICS_TOKEN is set it demands that bearer token " +
      "(checked here, in constant time), and it never carries conversation content",
  },
);
