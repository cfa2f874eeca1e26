"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export function AdminNav({ sections }: { sections: Array<{ href: string; label: string }> }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Admin console" className="flex gap-1 overflow-x-auto md:flex-col">
      {sections.map((s) => {
        const active = pathname === s.href || pathname.startsWith(`${s.href}/`);
        return (
          <Link
            key={s.href}
            href={s.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 text-sm whitespace-nowrap ${active ? "bg-neutral-200 font-medium dark:bg-neutral-800" : "text-neutral-700 hover:bg-neutral-100 dark:text-neutral-300 dark:hover:bg-neutral-900"}`}
          >
            {s.label}
          </Link>
        );
      })}
    </nav>
  );
}
