import { AppShell } from "@/components/chat/app-shell";
import { requirePrincipal } from "@/lib/auth/require";
import { canSeeAdminConsole, conversationViewScope } from "@/lib/authz";
import { describeModels } from "@/lib/models/registry";
import { getMyProfile } from "@/lib/profile";
import { signOutAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const p = await requirePrincipal();
  const [profile, models] = [await getMyProfile(p), describeModels()];
  return (
    <AppShell
      user={{ name: profile.name, email: profile.email, role: profile.role, orgName: profile.org.name, teamName: profile.team?.name ?? null }}
      modelLabel={models.label}
      isOffline={models.provider === "offline"}
      signOutAction={signOutAction}
      nav={{ team: conversationViewScope(p) !== null, admin: canSeeAdminConsole(p) }}
    >
      {children}
    </AppShell>
  );
}
