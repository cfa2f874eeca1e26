"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/lib/auth/auth";
import { safeCallbackPath } from "@/lib/auth/dev-login";

// Thin wrappers over Auth.js: a failed attempt comes back to the sign-in page with a reason;
// success (a redirect, thrown by signIn) passes through.
export async function devSignIn(formData: FormData): Promise<void> {
  const email = String(formData.get("email") ?? "").trim();
  const redirectTo = safeCallbackPath(formData.get("callbackUrl"));
  try {
    await signIn("dev", { email, redirectTo });
  } catch (e) {
    if (e instanceof AuthError) redirect(`/signin?error=${encodeURIComponent(e.type)}`);
    throw e;
  }
}

export async function ssoSignIn(formData: FormData): Promise<void> {
  const redirectTo = safeCallbackPath(formData.get("callbackUrl"));
  try {
    await signIn("oidc", { redirectTo });
  } catch (e) {
    if (e instanceof AuthError) redirect(`/signin/error?error=${encodeURIComponent(e.type)}`);
    throw e;
  }
}
