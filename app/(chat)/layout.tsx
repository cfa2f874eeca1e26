import { AppShell } from "@/components/chat/app-shell";
import { requirePrincipal } from "@/lib/auth/require";
import { describeModels } from "@/lib/models/registry";
import { signOutAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const p = await requirePrincipal();
  const models = describeModels();
  return (
    <AppShell
      user={{ name: p.name, email: p.email, role: p.role }}
      modelLabel={models.label}
      isOffline={models.provider === "offline"}
      signOutAction={signOutAction}
    >
      {children}
    </AppShell>
  );
}
