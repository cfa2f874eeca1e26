import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SettingsAdmin } from "@/components/admin/settings-admin";
import { getSettings } from "@/lib/admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Settings" };

export default async function AdminSettingsPage() {
  const p = await requirePrincipal();
  if (!can(p, "org.settings")) notFound();
  return <SettingsAdmin initial={await getSettings(p)} />;
}
