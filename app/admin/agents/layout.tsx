import { notFound } from "next/navigation";
import { requirePrincipal } from "@/lib/auth/require";
import { can } from "@/lib/authz";

export const dynamic = "force-dynamic";

/**
 * The permission is checked here, above the section's loading state: a page that calls
 * notFound() inside a streamed Suspense boundary would answer 200 with a Not found body,
 * telling a manager (who may open the console for Usage) that the section exists.
 */
export default async function AdminAgentsLayout({ children }: { children: React.ReactNode }) {
  const p = await requirePrincipal();
  if (!can(p, "agent.edit")) notFound();
  return children;
}
