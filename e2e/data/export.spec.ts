import { expectApiError } from "../fixtures/api";
import { expect, test, USERS } from "../fixtures/auth";
import { DataPage } from "../fixtures/pages/data-page";

/**
 * Settings → Data: a user exports their data and gets one archive listing their conversation;
 * the job and the download are theirs alone (another user gets 404).
 */
interface Archive {
  format: string;
  user: { email: string };
  conversations: Array<{ id: string; title: string; messages: Array<{ role: string; text: string }> }>;
  memories: unknown[];
  usage: unknown[];
  auditEvents: Array<{ action: string }>;
}

test("a user exports their data and gets an archive listing their conversation", async ({ signInAs, page, sessionFor }) => {
  // Frank (Globex): no other spec deactivates him.
  const chat = await signInAs(USERS.frank.email);
  await chat.gotoNew();
  const words = `Export marker ${crypto.randomUUID().slice(0, 8)}`;
  const conversationId = await chat.sendAndWaitForReply(words);

  const data = new DataPage(page);
  await data.goto();
  const jobId = await data.exportAndWait();
  const { download, json } = await data.download();
  expect(download.suggestedFilename()).toMatch(/^enclave-export-\d{4}-\d{2}-\d{2}\.json$/);
  const archive = json as Archive;
  expect(archive.format).toBe("enclave.data-export");
  expect(archive.user.email).toBe(USERS.frank.email);
  const conv = archive.conversations.find((c) => c.id === conversationId);
  expect(conv, JSON.stringify(archive.conversations.map((c) => c.id))).toBeTruthy();
  expect(conv!.messages[0]).toMatchObject({ role: "user", text: words });
  expect(archive.auditEvents.map((e) => e.action)).toContain("data.export_requested");

  // The job answers its owner with the link; the link and the job are 404 to anyone else.
  const job = (await (await page.request.get(`/api/jobs/${jobId}`)).json()) as { status: string; downloadUrl: string };
  expect(job).toMatchObject({ id: jobId, kind: "data.export", status: "done", progress: 100, downloadUrl: `/api/me/export/${jobId}` });
  for (const other of [USERS.erin.email, USERS.dan.email]) {
    const intruder = await sessionFor(other);
    await expectApiError(await intruder.page.request.get(`/api/jobs/${jobId}`), 404, "not_found");
    await expectApiError(await intruder.page.request.get(job.downloadUrl), 404, "not_found");
  }
  const mine = await page.request.get(job.downloadUrl);
  expect(mine.status()).toBe(200);
  expect(mine.headers()["content-disposition"]).toMatch(/^attachment; filename="enclave-export-/);
});
