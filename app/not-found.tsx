import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-full flex-col items-center justify-center gap-4 p-8 text-center">
      <p className="text-sm font-medium text-muted">404</p>
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="max-w-md text-neutral-600 dark:text-neutral-400">
        This page does not exist, or it is not yours to see.
      </p>
      <Link href="/chat" className="rounded-md bg-neutral-900 px-4 py-2 text-sm font-medium text-white dark:bg-white dark:text-neutral-900">
        Back to your conversations
      </Link>
    </main>
  );
}
