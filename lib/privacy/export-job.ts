import { z } from "zod";
import { db } from "@/lib/db";
import { defineJob } from "@/lib/jobs/types";
import { buildExportArchive } from "./export-archive";

export const EXPORT_JOB_KIND = "data.export";
/** How long a finished export can be downloaded. */
export const EXPORT_TTL_MS = 24 * 60 * 60 * 1000;

export function exportDownloadUrl(jobId: string): string {
  return `/api/me/export/${encodeURIComponent(jobId)}`;
}

/**
 * The export job: builds the owner's archive (progress as it reads), stores it with its expiry
 * and the data.exported event in one transaction. Its status adds the download link once ready.
 */
export const exportJob = defineJob({
  kind: EXPORT_JOB_KIND,
  payload: z.object({}).strict(),
  async run({ jobId, owner, progress }) {
    const archive = await buildExportArchive(owner, { progress });
    const text = JSON.stringify(archive, null, 2);
    const now = new Date();
    await db.forOwner(owner).dataExport.saveArchive(
      { jobId, archive: text, expiresAt: new Date(now.getTime() + EXPORT_TTL_MS) },
      {
        orgId: owner.orgId,
        actorId: owner.startedById,
        action: "data.exported",
        target: { type: "user", id: owner.userId },
        data: {
          jobId,
          bytes: Buffer.byteLength(text),
          conversations: archive.conversations.length,
          messages: archive.conversations.reduce((n, c) => n + c.messages.length, 0),
          memories: archive.memories.length,
          auditEvents: archive.auditEvents.length,
        },
      },
    );
  },
  async describe(job) {
    if (job.status !== "done") return {};
    const expiresAt = await db.forOwner(job).dataExport.archiveExpiry(job.id);
    if (!expiresAt) return {};
    if (expiresAt.getTime() <= Date.now()) return { expired: true, expiresAt: expiresAt.toISOString() };
    return { downloadUrl: exportDownloadUrl(job.id), expiresAt: expiresAt.toISOString() };
  },
});
