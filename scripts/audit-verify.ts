/**
 * npm run audit:verify [-- --org <id or slug>] [--json]
 * Seals what is pending, then checks every org's chain (or one) and its signed checkpoints.
 * Exits 0 when intact; otherwise 1, naming the first broken event of each broken org.
 */
import { verifyAllChains, verifyOrgChain, type ChainReport } from "@/lib/audit/verify";
import { closeDatabase, getDatabase } from "@/lib/db";
import { DataDirLockedError } from "@/lib/db/pglite-lock";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const orgArg = args.includes("--org") ? args[args.indexOf("--org") + 1] : undefined;
  const asJson = args.includes("--json");
  const db = await getDatabase();
  let reports: ChainReport[];
  if (orgArg) {
    const org = await db.prisma.org.findFirst({ where: { OR: [{ id: orgArg }, { slug: orgArg }] }, select: { id: true } });
    if (!org) throw new Error(`no org ${orgArg}`);
    reports = [await verifyOrgChain(org.id)];
  } else {
    reports = (await verifyAllChains()).reports;
  }
  const ok = reports.every((r) => r.ok);
  if (asJson) {
    console.log(JSON.stringify({ ok, reports }, null, 2));
  } else {
    for (const r of reports) {
      console.log(
        r.ok
          ? `ok      org ${r.orgId}: ${r.checked} events, chain head ${r.lastSeq}, ${r.checkpoints} signed checkpoints`
          : `BROKEN  org ${r.orgId}: first broken event is seq ${r.firstBroken!.seq}${r.firstBroken!.eventId ? ` (${r.firstBroken!.eventId})` : ""}: ${r.firstBroken!.reason}`,
      );
    }
    if (reports.length === 0) console.log("no audit events yet");
  }
  await closeDatabase();
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof DataDirLockedError ? err.message : err);
  process.exit(2);
});
