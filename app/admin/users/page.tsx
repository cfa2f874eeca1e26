import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UsersAdmin } from "@/components/admin/users-admin";
import { listRoleOptions, listTeamOptions, listUsers } from "@/lib/admin";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Users" };

export default async function AdminUsersPage() {
  const p = await requirePrincipal();
  if (!can(p, "user.manage")) notFound();
  const [initial, roles, teams] = await Promise.all([
    listUsers(p, {}),
    listRoleOptions(p),
    listTeamOptions(p),
  ]);
  return <UsersAdmin initial={initial} roles={roles} teams={teams} currentUserId={p.userId} />;
}
