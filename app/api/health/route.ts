import { checkHealth } from "@/lib/health";
import { json, publicRoute } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = publicRoute(
  async () => {
    const { health, ok } = await checkHealth();
    return json(health, { status: ok ? 200 : 503 });
  },
  { reason: "load balancers and monitors probe it without credentials; it reveals no user data" },
);
