import type { Metadata } from "next";
import { MemoryPanel } from "@/components/settings/memory-panel";
import { requirePrincipal } from "@/lib/auth/require";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Memory" };

export default async function MemoryPage() {
  await requirePrincipal();
  return <MemoryPanel />;
}
