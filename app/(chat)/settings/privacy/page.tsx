import type { Metadata } from "next";
import { requirePrincipal } from "@/lib/auth/require";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Privacy" };

// Placeholder until "who viewed my conversations" lands (issue 3).
export default async function PrivacyPage() {
  await requirePrincipal();
  return <p className="text-sm text-neutral-500">Nobody has viewed your conversations.</p>;
}
