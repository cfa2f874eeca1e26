/**
 * npm run keys:rotate [-- --new-data-keys] [--reencrypt] [--batch-size N] [--json]
 *
 * Encryption at rest (lib/privacy/encryption) has two levels of keys, and this rotates both:
 * - by default, re-wraps every org key that ENCLAVE_MASTER_KEY_PREVIOUS (the old master key)
 *   wrapped under ENCLAVE_MASTER_KEY (the new one). Nothing else changes: content stays sealed
 *   with the same org keys. Afterwards ENCLAVE_MASTER_KEY_PREVIOUS can be removed everywhere.
 * - --new-data-keys adds a new content key version to every org; new values are sealed with it,
 *   old ones still open with the versions they were sealed with (kept).
 * - --reencrypt seals again, in batches with progress, every value not sealed with its org's
 *   current content key (older versions, and plaintext written before encryption existed).
 *   The audit trail is not rewritten: its events are immutable and keep their key versions.
 * Exits 0 when done, 2 on an error (a master key that opens nothing: the message says which).
 */
import { closeDatabase, getDatabase } from "@/lib/db";
import { unsafeAddContentKeyVersions, unsafeRewrapOrgKeys, unsafeVerifyMasterKey } from "@/lib/db/keyring";
import { DataDirLockedError } from "@/lib/db/pglite-lock";
import { unsafeReencrypt } from "@/lib/db/reencrypt";
import { masterKeys } from "@/lib/privacy/encryption/master-key";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const known = new Set(["--new-data-keys", "--reencrypt", "--json", "--batch-size"]);
  const unknown = args.filter((a, i) => a.startsWith("--") && !known.has(a) && args[i - 1] !== "--batch-size");
  if (unknown.length) throw new Error(`unknown option ${unknown.join(", ")}: use --new-data-keys, --reencrypt, --batch-size N, --json`);
  const batchSize = Number(option(args, "--batch-size") ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error("--batch-size must be a positive whole number");
  const asJson = args.includes("--json");
  const say = (line: string) => {
    if (!asJson) console.log(line);
  };

  await getDatabase();
  const held = masterKeys();
  const verified = await unsafeVerifyMasterKey(held);
  say(`master key ${held[0]!.id} (${held[0]!.source})${held[1] ? `, previous ${held[1].id}` : ""}: ${verified.keys} org keys of ${verified.orgs} orgs open`);

  const rewrap = await unsafeRewrapOrgKeys(held, (done, total) => say(`…       re-wrapped the keys of ${done}/${total} orgs`));
  say(rewrap.rewrapped ? `re-wrapped ${rewrap.rewrapped} org keys of ${rewrap.orgs} orgs under master key ${held[0]!.id}` : `every org key is wrapped by master key ${held[0]!.id}: nothing to re-wrap`);

  const added = args.includes("--new-data-keys") ? await unsafeAddContentKeyVersions(held) : [];
  for (const a of added) say(`new content key: org ${a.orgId} now seals with version ${a.version}`);
  if (added.length) say("running instances pick the new version up within a minute; what they seal meanwhile stays readable (old versions are kept)");

  const reencrypted = args.includes("--reencrypt")
    ? await unsafeReencrypt({ batchSize, onProgress: (p) => say(`…       ${p.table}.${p.column} of org ${p.orgId}: ${p.done}/${p.total}`) })
    : [];
  for (const r of reencrypted) say(`re-encrypted ${r.table}.${r.column}: ${r.reencrypted} values${r.skipped ? ` (${r.skipped} changed meanwhile, already current)` : ""}`);

  if (asJson) console.log(JSON.stringify({ masterKey: held[0]!.id, rewrapped: rewrap, newDataKeys: added, reencrypted }, null, 2));
  await closeDatabase();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof DataDirLockedError || err instanceof Error ? `keys:rotate: ${err.message}` : err);
  process.exit(2);
});
