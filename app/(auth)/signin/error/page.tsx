import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Sign-in refused" };

function explain(error: string | undefined, domain: string | undefined): { title: string; body: string } {
  switch (error) {
    case "unknown-domain":
    case "unverified-domain":
      return {
        title: "Your organization is not set up in Enclave",
        body: `No organization here uses the email domain ${domain ? `“${domain}”` : "of your account"}. Ask your administrator to add it, or sign in with your work account.`,
      };
    case "disabled":
      return { title: "Your account is deactivated", body: "An administrator has deactivated your Enclave account. Contact them to restore access." };
    case "no-email":
    case "unverified-email":
      return { title: "Your identity provider did not share a verified email", body: "Enclave needs a verified email address to know who you are. Ask your administrator to release the email claim." };
    case "identity-mismatch":
      return {
        title: "This email is linked to another sign-in",
        body: "The Enclave account with this email address is already linked to a different identity at your identity provider. Sign in with the account you used before, or ask your administrator.",
      };
    case "no-subject":
      return { title: "Your identity provider did not identify you", body: "The sign-in carried no subject identifier. Ask your administrator to check the identity provider's configuration." };
    case "AccessDenied":
      return { title: "Sign-in refused", body: "Your sign-in was refused." };
    case "Configuration":
      return { title: "Sign-in is misconfigured", body: "The identity provider could not be reached or is misconfigured. Try again later or contact your administrator." };
    default:
      return { title: "Sign-in failed", body: "Something went wrong while signing you in. Try again." };
  }
}

export default async function SignInErrorPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const q = await searchParams;
  const { title, body } = explain(q.error, q.domain);
  return (
    <main className="flex min-h-full items-center justify-center p-4">
      <div role="alert" className="w-full max-w-md space-y-4 rounded-xl border border-neutral-200 p-6 dark:border-neutral-800">
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">{body}</p>
        <Link href="/signin" className="inline-block text-sm font-medium underline underline-offset-2">
          Back to sign-in
        </Link>
      </div>
    </main>
  );
}
