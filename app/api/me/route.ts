import { json, withPrincipal } from "@/lib/http/route";
import { getMyProfile } from "@/lib/profile";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async (_req, principal) => json(await getMyProfile(principal)), {
  permission: "signed-in",
});
