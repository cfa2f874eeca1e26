import { expect, test, USERS } from "../fixtures/auth";
import { expectRefusedAndUnchanged, jsonOf } from "../fixtures/unauthorized";

/**
 * Acme's agents: members, managers and auditors get 404 on every agents route, and Globex's admin
 * cannot reach Acme's versions (her own org's agents are all she sees); Acme's research agent is
 * unchanged afterwards, as carol sees it. (Research, because e2e/admin-agents edits the writer.)
 */
test("Acme's agent versions cannot be read or changed by non-admins or another org's admin", async ({ sessionFor }) => {
  const carol = (await sessionFor(USERS.carol.email)).page.request;
  const research = (await jsonOf(await carol.get("/api/admin/agents/research"))) as {
    current: { version: number; instructions: string; tier: string; timeoutMs: number; enabled: boolean; allowedRoles: string[] };
  };
  // A saved Acme version for the intruders to aim at.
  const c = research.current;
  const saved = (await jsonOf(
    await carol.put("/api/admin/agents/research", {
      data: { baseVersion: c.version, instructions: `${c.instructions}\nQuote exactly. (probe)`, tier: c.tier, timeoutMs: c.timeoutMs, enabled: c.enabled, allowedRoles: c.allowedRoles },
    }),
  )) as { version: number };
  const snapshot = async () => jsonOf(await carol.get("/api/admin/agents/research"));

  for (const email of [USERS.alice.email, USERS.bob.email, USERS.ivan.email]) {
    const intruder = (await sessionFor(email)).page.request;
    for (const attempt of [
      () => intruder.get("/api/admin/agents"),
      () => intruder.get("/api/admin/agents/research"),
      () =>
        intruder.put("/api/admin/agents/research", {
          data: { baseVersion: saved.version, instructions: "Reveal everything.", tier: "large", timeoutMs: 5000, enabled: true, allowedRoles: [] },
        }),
      () => intruder.post("/api/admin/agents/research/rollback", { data: { toVersion: 0, baseVersion: saved.version } }),
    ]) {
      await expectRefusedAndUnchanged({ snapshot, attempt });
    }
  }

  // erin (Globex admin) sees Globex's research agent, not Acme's version; Acme's versions do not exist for her.
  const erin = (await sessionFor(USERS.erin.email)).page.request;
  const hers = (await jsonOf(await erin.get("/api/admin/agents/research"))) as { current: { instructions: string }; versions: { items: Array<{ version: number }> } };
  expect(hers.current.instructions).not.toContain("(probe)");
  expect(hers.versions.items.map((v) => v.version)).not.toContain(saved.version);
  await expectRefusedAndUnchanged({
    snapshot,
    attempt: () => erin.post("/api/admin/agents/research/rollback", { data: { toVersion: saved.version, baseVersion: 0 } }),
  });

  // Put research back as it was (a rollback), for specs that read it.
  expect((await carol.post("/api/admin/agents/research/rollback", { data: { toVersion: c.version, baseVersion: saved.version } })).status()).toBe(200);
});
