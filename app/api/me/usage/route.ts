import { json, withPrincipal } from "@/lib/http/route";
import { getMyUsage } from "@/lib/usage/dashboard";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async (req, principal) => json(await getMyUsage(principal, new URL(req.url).searchParams)), { permission: "chat.send" });
