import { json, withPrincipal } from "@/lib/http/route";
import { describeGateway } from "@/lib/models/status";

export const dynamic = "force-dynamic";

/** The model gateway's deployments with their breakers, load and recent health (no keys). */
export const GET = withPrincipal(async () => json(await describeGateway()), { permission: "org.settings" });
