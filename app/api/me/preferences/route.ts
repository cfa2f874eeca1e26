import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";
import { getPreferences, PreferencesSchema, updatePreferences } from "@/lib/memory";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async (_req, principal) => json(await getPreferences(principal)), {
  permission: "memory.manage.own",
  reveal: true,
});

/** Any subset of the preferences; the rest keep their value. Answers the whole set. */
export const PUT = withPrincipal(
  async (req, principal, { requestId }) => {
    const body = await readJsonBody(req, PreferencesSchema, { maxBytes: 4096 });
    return json(await updatePreferences(principal, body, { requestId }));
  },
  { permission: "memory.manage.own", reveal: true },
);
