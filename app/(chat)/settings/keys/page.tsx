import type { Metadata } from "next";
import { ApiKeysPanel } from "@/components/settings/api-keys-panel";
import { requirePrincipal } from "@/lib/auth/require";
import { API_KEY_SCOPE_IDS, API_KEY_SCOPES } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  await requirePrincipal();
  const scopes = API_KEY_SCOPE_IDS.map((id) => ({ id, description: API_KEY_SCOPES[id].description }));
  return <ApiKeysPanel scopes={scopes} />;
}
