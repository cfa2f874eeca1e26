import { redirect } from "next/navigation";
import { ADMIN_SECTIONS } from "@/components/admin/sections";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";

/** The console opens on the first section the person may use. */
export default async function AdminHome() {
  const p = await requirePrincipal();
  const first = ADMIN_SECTIONS.find((s) => can(p, s.permission));
  if (first) redirect(first.href);
  return (
    <div className="space-y-2">
      <h1 className="text-xl font-semibold">Admin</h1>
      <p className="text-sm text-neutral-600 dark:text-neutral-400">
        Your role does not include any of the sections listed here. Ask an admin if you need access.
      </p>
    </div>
  );
}
