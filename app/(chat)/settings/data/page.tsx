import type { Metadata } from "next";
import { DataPanel } from "@/components/settings/data-panel";
import { requirePrincipal } from "@/lib/auth/require";
import { listMyExports } from "@/lib/privacy/export";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your data" };

export default async function DataPage() {
  const p = await requirePrincipal();
  return <DataPanel initial={await listMyExports(p)} />;
}
