import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import { jobs } from "@/lib/jobs";
import { isPlausibleId } from "@/lib/jobs/ids";
import type { Principal } from "@/lib/principal";
import { EXPORT_JOB_KIND, exportDownloadUrl } from "./export-job";

/**
 * A person's data export: started as a background job (POST /api/me/export answers 202 with its
 * id), followed through GET /api/jobs/:id, downloaded from its downloadUrl by its owner only,
 * until it expires.
 */

const actor = (p: Principal, requestId?: string) => ({ orgId: p.orgId, actorId: p.userId, sessionId: p.sessionId, requestId: requestId ?? null });

export async function startExport(p: Principal, opts: { requestId?: string } = {}): Promise<{ id: string }> {
  return jobs().enqueue(
    EXPORT_JOB_KIND,
    {},
    { orgId: p.orgId, userId: p.userId, startedById: p.userId },
    { audit: (jobId) => ({ ...actor(p, opts.requestId), action: "data.export_requested", target: { type: "user", id: p.userId }, data: { jobId, via: p.via } }) },
  );
}

export interface ExportDownload {
  filename: string;
  body: string;
  bytes: number;
}

/**
 * The archive of one of MY exports. Someone else's export id, or one still running, is 404; an
 * expired one is 404 too, saying so (the archive is no longer offered).
 */
export async function downloadExport(p: Principal, jobId: string, opts: { requestId?: string; now?: Date } = {}): Promise<ExportDownload> {
  const repo = db.forOwner(p).dataExport;
  const stored = isPlausibleId(jobId) ? await repo.archive(jobId) : null;
  if (!stored) throw AppError.notFound("Export");
  const now = opts.now ?? new Date();
  if (stored.expiresAt.getTime() <= now.getTime()) {
    throw new AppError("not_found", "This export has expired. Start a new export from Settings → Data.", { reason: "export_expired" });
  }
  await repo.recordDownload({ ...actor(p, opts.requestId), action: "data.export_downloaded", target: { type: "user", id: p.userId }, data: { jobId, bytes: stored.bytes } });
  return { filename: `enclave-export-${stored.createdAt.toISOString().slice(0, 10)}.json`, body: stored.archive, bytes: stored.bytes };
}

export interface MyExport {
  id: string;
  status: "queued" | "running" | "done" | "failed";
  progress: number;
  createdAt: string;
  finishedAt: string | null;
  bytes: number | null;
  expiresAt: string | null;
  downloadUrl: string | null;
}

/** My latest exports (the settings page lists them). */
export async function listMyExports(p: Principal, now = new Date()): Promise<MyExport[]> {
  const rows = await db.forOwner(p).dataExport.recentJobs(EXPORT_JOB_KIND);
  return rows.map((j) => {
    const live = j.dataExport && j.dataExport.expiresAt.getTime() > now.getTime();
    return {
      id: j.id,
      status: j.status,
      progress: j.progress,
      createdAt: j.createdAt.toISOString(),
      finishedAt: j.finishedAt?.toISOString() ?? null,
      bytes: j.dataExport?.bytes ?? null,
      expiresAt: j.dataExport?.expiresAt.toISOString() ?? null,
      downloadUrl: live ? exportDownloadUrl(j.id) : null,
    };
  });
}
