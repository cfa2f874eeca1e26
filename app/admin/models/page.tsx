import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ModelsAdmin } from "@/components/admin/models-admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models" };

/** The model gateway's deployments, refreshed in the browser from GET /api/admin/models. */
export default async function AdminModelsPage() {
  const p = await requirePrincipal();
  if (!can(p, "org.settings")) notFound();
  return <ModelsAdmin />;
}
