import type { Metadata } from "next";
import { requirePrincipal } from "@/lib/auth/require";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API keys" };

// Placeholder until the API keys page lands (issue 3).
export default async function KeysPage() {
  await requirePrincipal();
  return <p className="text-sm text-neutral-500">API keys are coming.</p>;
}
