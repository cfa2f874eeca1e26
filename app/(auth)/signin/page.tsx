import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPrincipal } from "@/lib/auth/principal";
import { safeCallbackPath, signInOptions } from "@/lib/auth/dev-login";
import { env } from "@/lib/config/env";
import { devSignIn, ssoSignIn } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  CredentialsSignin: "No active user with that email (or dev sign-in is off for their organization). Pick one of the users below.",
  AccessDenied: "Sign-in was refused.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const q = await searchParams;
  if (await getPrincipal()) redirect(safeCallbackPath(q.callbackUrl));
  const opts = await signInOptions(env().OIDC_NAME);
  const callbackUrl = safeCallbackPath(q.callbackUrl);
  const error = q.error ? (ERRORS[q.error] ?? "Sign-in failed. Try again.") : null;

  return (
    <main className="flex min-h-full items-center justify-center p-4">
      <div className="w-full max-w-md space-y-6 rounded-xl border border-neutral-200 p-6 shadow-sm dark:border-neutral-800">
        <div>
          <h1 className="text-xl font-semibold">Sign in to Enclave</h1>
          <p className="mt-1 text-sm text-neutral-600 dark:text-neutral-400">Your organization&apos;s private AI workspace.</p>
        </div>
        {q.erased === "1" && (
          <p role="status" className="rounded-md bg-neutral-100 p-3 text-sm dark:bg-neutral-800">
            Your account and its data were erased.
          </p>
        )}
        {error && (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
            {error}
          </p>
        )}
        {opts.sso.enabled && (
          <form action={ssoSignIn}>
            <input type="hidden" name="callbackUrl" value={callbackUrl} />
            <button className="w-full rounded-md bg-neutral-900 px-4 py-2.5 text-sm font-medium text-white hover:bg-neutral-700 dark:bg-white dark:text-neutral-900 dark:hover:bg-neutral-200">
              Sign in with {opts.sso.name}
            </button>
          </form>
        )}
        {opts.dev.enabled && (
          <section aria-labelledby="dev-signin" className="space-y-3">
            <div>
              <h2 id="dev-signin" className="text-sm font-medium">
                Dev sign-in
              </h2>
              <p className="text-xs text-muted">
                For development only: sign in as any seeded user without a password. Turned off when SSO is configured.
              </p>
            </div>
            <form action={devSignIn} className="flex gap-2">
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <label htmlFor="dev-email" className="sr-only">
                Email
              </label>
              <input
                id="dev-email"
                name="email"
                type="email"
                required
                list="dev-users"
                placeholder="alice@acme.test"
                autoComplete="off"
                className="min-w-0 flex-1 rounded-md border border-neutral-300 bg-transparent px-3 py-2 text-sm dark:border-neutral-700"
              />
              <datalist id="dev-users">
                {opts.dev.users.map((u) => (
                  <option key={u.email} value={u.email} />
                ))}
              </datalist>
              <button className="rounded-md bg-neutral-900 px-4 py-2 text-sm font-medium text-white dark:bg-white dark:text-neutral-900">
                Sign in
              </button>
            </form>
            <ul className="divide-y divide-neutral-200 rounded-md border border-neutral-200 dark:divide-neutral-800 dark:border-neutral-800">
              {opts.dev.users.map((u) => (
                <li key={u.email}>
                  <form action={devSignIn}>
                    <input type="hidden" name="callbackUrl" value={callbackUrl} />
                    <input type="hidden" name="email" value={u.email} />
                    {/* Named by its content, "Sign in as <email> <name> <org> · <role>", so all it shows is
                        part of its name (WCAG 2.5.3); the name is shown before the email with `order`. */}
                    <button className="flex w-full items-center justify-between gap-2 px-3 py-2 text-left text-sm hover:bg-neutral-50 dark:hover:bg-neutral-900">
                      <span className="flex flex-wrap gap-x-1">
                        <span className="sr-only">Sign in as </span>
                        <span className="order-2 text-muted">{u.email}</span>{" "}
                        <span className="order-1 font-medium">{u.name}</span>
                      </span>
                      <span className="shrink-0 text-xs text-muted">
                        {u.orgName} · {u.role}
                      </span>
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </section>
        )}
        {!opts.sso.enabled && !opts.dev.enabled && (
          <p className="text-sm text-neutral-600 dark:text-neutral-400">
            No sign-in method is configured. An administrator must set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or
            ENCLAVE_DEV_LOGIN=true for development).
          </p>
        )}
      </div>
    </main>
  );
}
