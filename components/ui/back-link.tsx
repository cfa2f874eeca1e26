import { ArrowLeft } from "lucide-react";
import Link from "next/link";

/** "← Somewhere": a link back up the hierarchy, its arrow an SVG icon (font arrows vary by system). */
export function BackLink({
  href,
  className = "",
  children,
}: {
  href: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <Link
      href={href}
      className={`inline-flex items-center gap-1 text-sm text-neutral-600 underline-offset-2 hover:underline dark:text-neutral-400 ${className}`}
    >
      <ArrowLeft className="size-4 shrink-0" />
      {children}
    </Link>
  );
}
