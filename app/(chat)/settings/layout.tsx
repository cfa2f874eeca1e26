import Link from "next/link";

const TABS = [
  { href: "/settings/privacy", label: "Privacy" },
  { href: "/settings/keys", label: "API keys" },
  { href: "/settings/usage", label: "Usage" },
  { href: "/settings/memory", label: "Memory" },
  { href: "/settings/data", label: "Data" },
];

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-3xl px-4 py-6">
        <h1 className="text-xl font-semibold">Settings</h1>
        <nav aria-label="Settings sections" className="mt-4 flex gap-4 border-b border-neutral-200 text-sm dark:border-neutral-800">
          {TABS.map((t) => (
            <Link key={t.href} href={t.href} className="-mb-px border-b-2 border-transparent px-1 pb-2 hover:border-neutral-400">
              {t.label}
            </Link>
          ))}
        </nav>
        <div className="pt-6">{children}</div>
      </div>
    </div>
  );
}
