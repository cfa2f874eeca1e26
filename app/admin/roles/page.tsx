import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RolesAdmin } from "@/components/admin/roles-admin";
import { listRoles } from "@/lib/admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Roles" };

export default async function AdminRolesPage() {
  const p = await requirePrincipal();
  if (!can(p, "role.manage")) notFound();
  return <RolesAdmin initial={await listRoles(p)} />;
}
