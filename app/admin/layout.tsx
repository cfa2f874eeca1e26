import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AdminNav } from "@/components/admin/admin-nav";
import { ADMIN_SECTIONS } from "@/components/admin/sections";
import { BackLink } from "@/components/ui/back-link";
import { requirePrincipal } from "@/lib/auth/require";
import { can, canSeeAdminConsole } from "@/lib/authz";
import { getMyProfile } from "@/lib/profile";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · Enclave" } };

/**
 * The admin console's frame. Someone without any admin-console permission gets the plain Not
 * found page (HTTP 404), as if the console did not exist; each page checks its own permission.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const p = await requirePrincipal();
  if (!canSeeAdminConsole(p)) notFound();
  const profile = await getMyProfile(p);
  const sections = ADMIN_SECTIONS.filter((s) => can(p, s.permission)).map(({ href, label }) => ({
    href,
    label,
  }));
  return (
    <div className="flex h-dvh flex-col md:flex-row">
      <aside className="shrink-0 border-b border-neutral-200 bg-neutral-50 md:w-56 md:border-r md:border-b-0 dark:border-neutral-800 dark:bg-neutral-900">
        <div className="flex h-full flex-col gap-3 p-3 md:p-4">
          <div className="flex items-center justify-between gap-2 md:block">
            <div>
              <div className="text-lg font-semibold tracking-tight">Enclave</div>
              <div className="text-xs text-muted" data-testid="admin-org">
                Admin · {profile.org.name}
              </div>
            </div>
            <BackLink href="/chat" className="md:hidden">
              Back to chat
            </BackLink>
          </div>
          <AdminNav sections={sections} />
          <div className="mt-auto hidden border-t border-neutral-200 pt-3 text-sm md:block dark:border-neutral-800">
            <div className="truncate font-medium">{profile.name}</div>
            <div className="truncate text-xs text-muted">{profile.email}</div>
            <BackLink href="/chat" className="mt-2">
              Back to chat
            </BackLink>
          </div>
        </div>
      </aside>
      <main className="min-h-0 min-w-0 flex-1 overflow-y-auto">
        <div className="mx-auto max-w-6xl px-4 py-6 md:px-8">{children}</div>
      </main>
    </div>
  );
}
