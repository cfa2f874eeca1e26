"use client";

import type { GroupMappingDto, SettingsDto } from "@/lib/admin/types";
import { adminFetch } from "./api";
import { useAsyncAction, useFlag } from "./ui";

/** A PATCH of /api/admin/settings: each section sends its own fields. */
export type Patch = {
  emailDomains?: string[];
  groupMappings?: GroupMappingDto[];
  devLoginEnabled?: boolean;
  auditContent?: SettingsDto["auditContent"];
  retentionDays?: number | null;
};

/** What every section of the settings page gets. */
export interface SectionProps {
  settings: SettingsDto;
  disabled: boolean;
  onSaved: (s: SettingsDto) => void;
}

/** One section's save: its busy state, its API error and its "Saved". */
export function useSection(onSaved: (s: SettingsDto) => void) {
  const { busy, error, message, run, clearError } = useAsyncAction();
  const [saved, flag] = useFlag();
  const save = (patch: Patch): Promise<boolean> =>
    run(async () => {
      onSaved(await adminFetch<SettingsDto>("/api/admin/settings", { method: "PATCH", body: patch }));
      flag();
    });
  return { busy, error, message, saved, save, clearError };
}


export function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: string;
  children: React.ReactNode;
}) {
  return (
    <section
      aria-labelledby={id}
      className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800"
    >
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      <p className="mt-1 max-w-2xl text-sm text-neutral-600 dark:text-neutral-400">{description}</p>
      <div className="mt-4">{children}</div>
    </section>
  );
}

