"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn } from "@/lib/auth/auth";
import { safeCallbackPath } from "@/lib/auth/dev-login";
import { publicAction } from "@/lib/http/action";

// Thin wrappers over Auth.js: a failed attempt comes back with a reason; success (a redirect,
// thrown by signIn) passes through.
const DevInput = z.object({ email: z.string().trim().max(320).default(""), callbackUrl: z.string().optional() });
const SsoInput = z.object({ callbackUrl: z.string().optional() });

export const devSignIn = publicAction({ input: DevInput, reason: "signing in happens before there is a principal" }, async (input) => {
  try {
    await signIn("dev", { email: input.email, redirectTo: safeCallbackPath(input.callbackUrl) });
  } catch (e) {
    if (e instanceof AuthError) redirect(`/signin?error=${encodeURIComponent(e.type)}`);
    throw e;
  }
});

export const ssoSignIn = publicAction({ input: SsoInput, reason: "signing in happens before there is a principal" }, async (input) => {
  try {
    await signIn("oidc", { redirectTo: safeCallbackPath(input.callbackUrl) });
  } catch (e) {
    if (e instanceof AuthError) redirect(`/signin/error?error=${encodeURIComponent(e.type)}`);
    throw e;
  }
});
