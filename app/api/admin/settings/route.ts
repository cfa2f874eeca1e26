import { getSettings, updateSettings, UpdateSettingsBody } from "@/lib/admin";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(
  async (_req, principal, { requestId }) => json(await getSettings(principal, {}, { requestId })),
  {
    permission: "org.settings",
  },
);

export const PATCH = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, UpdateSettingsBody, { maxBytes: 64_000 });
    return json(await updateSettings(principal, body, { requestId }));
  },
  { permission: "org.settings" },
);
