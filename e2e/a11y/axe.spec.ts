import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { expect, test, USERS } from "../fixtures/auth";
import { AdminAgentPage, AdminAgentsPage } from "../fixtures/pages/admin-agents-page";
import { AdminModelsPage } from "../fixtures/pages/admin-models-page";
import { AdminRolesPage } from "../fixtures/pages/admin-roles-page";
import { AdminSettingsPage } from "../fixtures/pages/admin-settings-page";
import { AdminTeamsPage } from "../fixtures/pages/admin-teams-page";
import { AdminUsersPage } from "../fixtures/pages/admin-users-page";
import { AuditEventPage } from "../fixtures/pages/audit-event-page";
import { AuditLogPage } from "../fixtures/pages/audit-log-page";
import { KeysPage } from "../fixtures/pages/keys-page";

/**
 * Every page a person of each seeded role reaches, scanned by axe-core against WCAG 2.0/2.1
 * A and AA, in the light and the dark colour scheme (the app follows prefers-color-scheme).
 * A test scans all of its pages before failing, and the failure lists every violation by page,
 * rule and element, so one run shows the whole picture.
 */
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

type Scheme = "light" | "dark";

interface Scanner {
  /** Waits for `ready`, then scans the page as it is now under `name`. */
  scan(name: string, ready?: Locator): Promise<void>;
  /** Fails the test with a readable list of everything the scans found. */
  expectNoViolations(): void;
}

function scanner(page: Page, scheme: Scheme): Scanner {
  const report: string[] = [];
  let scanned = 0;
  return {
    async scan(name, ready) {
      if (ready) await expect(ready).toBeVisible();
      // Client components fetch their data after hydration; scan what the person then sees.
      await page.waitForLoadState("networkidle");
      await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
      const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      scanned++;
      for (const v of violations) {
        report.push(`${name} [${scheme}] ${v.id} (${v.impact ?? "?"}, ${v.nodes.length}×): ${v.help}`);
        for (const n of v.nodes) {
          const why = (n.any[0] ?? n.all[0] ?? n.none[0])?.message ?? n.failureSummary ?? "";
          report.push(`    ${n.target.join(" ")}\n      ${why.replace(/\s+/g, " ").trim()}`);
        }
      }
    },
    expectNoViolations() {
      expect(scanned).toBeGreaterThan(0);
      expect(report, `axe found WCAG A/AA violations:\n${report.join("\n")}\n`).toEqual([]);
    },
  };
}

for (const scheme of ["light", "dark"] as const) {
  test.describe(`accessibility (axe, WCAG 2.1 A/AA), ${scheme} scheme`, () => {
    test.use({ colorScheme: scheme });

    test("signed out: sign-in, sign-in refused, not found", async ({ page, signInPage }) => {
      const axe = scanner(page, scheme);
      await signInPage.goto();
      await expect(signInPage.seededUserButtons.first()).toBeEnabled();
      await axe.scan("/signin", signInPage.heading);
      await page.goto("/signin/error?error=unknown-domain&domain=example.test");
      await axe.scan("/signin/error", page.getByRole("heading", { level: 1 }));
      await page.goto("/no-such-page");
      await axe.scan("not found", page.getByRole("heading", { name: "Not found" }));
      axe.expectNoViolations();
    });

    test("alice (member): new chat, a conversation, settings", async ({ page, signInAs }) => {
      const axe = scanner(page, scheme);
      const chat = await signInAs(USERS.alice.email);
      await chat.gotoNew();
      await expect(chat.sidebar.nav.getByRole("list", { name: "Loading conversations" })).toHaveCount(0);
      await axe.scan("/chat", chat.sidebar.newChatLink);

      await chat.sendAndWaitForReply(
        `What is 12 * 7? Accessibility check ${crypto.randomUUID().slice(0, 6)}`,
      );
      await chat.reload();
      await axe.scan("/chat/<id>", chat.lastAssistant);

      await page.goto("/settings/privacy");
      await axe.scan(
        "/settings/privacy",
        page.getByRole("heading", { name: "Who viewed your conversations" }),
      );
      const keys = new KeysPage(page);
      await keys.goto();
      await axe.scan("/settings/keys", keys.createButton);
      axe.expectNoViolations();
    });

    test("bob (manager): team conversations, a member's list, the reason form, a read-only view", async ({
      page,
      signInAs,
      sessionFor,
    }) => {
      const alice = await sessionFor(USERS.alice.email);
      await alice.sendAndWaitForReply(
        `Quarterly numbers for the a11y check ${crypto.randomUUID().slice(0, 6)}`,
      );
      const conversationId = alice.conversationId();

      const axe = scanner(page, scheme);
      await signInAs(USERS.bob.email);
      await page.goto("/team");
      await axe.scan("/team", page.getByRole("heading", { name: "Team conversations" }));
      await page.getByRole("link", { name: /Alice Adams/ }).click();
      await axe.scan("/team/<user>", page.getByTestId("member-conversations"));
      await page.locator(`a[href$="/${conversationId}"]`).click();
      const reason = page.getByLabel(/Why do you need to read/);
      await expect(reason).toBeEnabled();
      await axe.scan("/team/<user>/<conversation>", reason);
      await reason.fill("Checking the page is readable for everyone on the team");
      await page.getByRole("button", { name: "Record reason and open" }).click();
      await expect(page).toHaveURL(/\/team\/view\//);
      await axe.scan("/team/view/<id>", page.getByTestId("readonly-transcript"));
      axe.expectNoViolations();
    });

    test("carol (admin): users, roles, agents, teams, settings, models", async ({ page, signInAs }) => {
      const axe = scanner(page, scheme);
      await signInAs(USERS.carol.email);
      for (const section of [
        new AdminUsersPage(page),
        new AdminRolesPage(page),
        new AdminAgentsPage(page),
        new AdminAgentPage(page, "writing", "Writing"),
        new AdminTeamsPage(page),
        new AdminSettingsPage(page),
        new AdminModelsPage(page),
      ]) {
        await section.goto();
        await axe.scan(new URL(page.url()).pathname, section.heading);
      }
      axe.expectNoViolations();
    });

    test("ivan (auditor): the audit log and a chat turn's event page", async ({
      page,
      signInAs,
      sessionFor,
    }) => {
      const alice = await sessionFor(USERS.alice.email);
      await alice.sendAndWaitForReply(`Something worth auditing ${crypto.randomUUID().slice(0, 6)}`);
      const conversationId = alice.conversationId();

      const axe = scanner(page, scheme);
      await signInAs(USERS.ivan.email);
      const audit = new AuditLogPage(page);
      await audit.goto();
      await expect(audit.rows.first()).toBeVisible();
      await axe.scan("/admin/audit", audit.table);

      // The turn's completion, once written: its page has the step timeline.
      let eventId: string | undefined;
      await expect
        .poll(
          async () => {
            const q = new URLSearchParams({
              action: "chat.response_completed",
              conversation: conversationId,
            });
            const res = await page.request.get(`/api/admin/audit/events?${q}`);
            eventId = ((await res.json()) as { items?: Array<{ id: string }> }).items?.[0]?.id;
            return eventId;
          },
          { timeout: 20_000 },
        )
        .toBeTruthy();
      await page.goto(`/admin/audit/${eventId}`);
      const event = new AuditEventPage(page);
      await axe.scan("/admin/audit/<id>", event.timeline);
      axe.expectNoViolations();
    });
  });
}
