import { redirect } from "next/navigation";
import type { Principal } from "@/lib/principal";
import { getPrincipal } from "./principal";

/** For pages: the principal, or off to sign-in (the session ended, was revoked, or the user was disabled). */
export async function requirePrincipal(): Promise<Principal> {
  const p = await getPrincipal();
  if (!p) redirect("/signin");
  return p;
}
