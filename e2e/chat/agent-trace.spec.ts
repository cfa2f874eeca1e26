import AxeBuilder from "@axe-core/playwright";
import { expect, test, USERS } from "../fixtures/auth";

/**
 * The agent trace on the offline server: the built-in model plans by keywords
 * (lib/models/keyword-plan.ts), so "calculate 15% of 240" calls the calculation specialist and
 * "find where I mentioned …" the research specialist, in parallel, before the answer streams.
 */

const tag = () => crypto.randomUUID().slice(0, 8);
const DURATION = String.raw`(?:< 0\.1|\d+(?:\.\d)?) s`;
const SUMMARY = new RegExp(`^2 specialists · ${DURATION}$`);

test.describe("agent trace", () => {
  test("a message for two specialists shows both branches live, then the answer; after a reload the trace is a line that expands", async ({ page, signInAs }) => {
    const chat = await signInAs(USERS.alice.email);
    const t = tag();

    // Something for research to find: an earlier conversation of Alice's own.
    await chat.sendAndWaitForReply(`Notes ${t}: the zephyrlaunch${t} is planned for the third of March in Berlin`);
    const direct = chat.trace();
    await expect(direct.toggle).toHaveText(new RegExp(`^Answered directly · ${DURATION}$`));
    await chat.sidebar.newChatLink.click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
    await chat.expectReady();

    await chat.startRecordingTrace();
    const question = `Calculate 15% of 240 and find where I mentioned the zephyrlaunch${t}`;
    await chat.send(question);
    const trace = chat.trace();
    await chat.expectLastReplyStatus("complete");
    await expect(chat.lastAssistant).toContainText("36");

    const samples = await chat.recordedTraceSamples();
    console.log(`trace samples while the turn ran: ${JSON.stringify(samples)}`);
    const detail = `samples: ${JSON.stringify(samples)}`;
    // While the turn ran: the trace open, both branches in it, before the answer was all there.
    const bothLive = samples.find((s) => s.live && s.open && s.status === "streaming" && s.branches.length === 2);
    expect(bothLive, detail).toBeDefined();
    expect(bothLive!.branches.map((b) => b.split(":")[0]).sort(), detail).toEqual(["calculation", "research"]);
    const finalLength = ((await chat.lastAssistant.locator(".prose-chat").textContent()) ?? "").length;
    expect(bothLive!.answerLength, detail).toBeLessThan(finalLength);
    const sawRunning = samples.some((s) => s.live && s.branches.some((b) => b.endsWith(":running")));
    console.log(`a branch was seen running (spinner) in the browser: ${sawRunning}`);
    // The live region said a few short things, not every token.
    const said = [...new Set(samples.map((s) => s.announcement).filter(Boolean))];
    console.log(`live region said: ${JSON.stringify(said)}`);
    expect(said.length, detail).toBeGreaterThan(0);
    expect(said.length, detail).toBeLessThanOrEqual(6);

    // Done: one collapsed line; nothing left to announce.
    await trace.expectOpen(false);
    await expect(trace.toggle).toHaveText(SUMMARY);
    await expect(trace.body).toHaveCount(0);
    await expect(trace.announcement).toHaveText("");
    const line = (await trace.toggle.textContent())!;

    // Expanding shows each branch's output; it works from the keyboard.
    await trace.toggle.focus();
    await page.keyboard.press("Enter");
    await trace.expectOpen(true);
    await expect(trace.branch("calculation")).toHaveAttribute("data-status", "done");
    await expect(trace.branch("research")).toHaveAttribute("data-status", "done");
    await expect(trace.output("calculation")).toContainText("36");
    await expect(trace.output("research")).not.toBeEmpty();
    await page.keyboard.press("Enter");
    await trace.expectOpen(false);

    // A reload renders the same trace from the stored message.
    await chat.reload();
    const stored = chat.trace();
    await expect(chat.messages).toHaveCount(2);
    await stored.expectOpen(false);
    await expect(stored.toggle).toHaveText(line);
    await stored.toggle.focus();
    await page.keyboard.press("Space");
    await stored.expectOpen(true);
    await expect(stored.branches).toHaveCount(2);
    await expect(stored.branch("calculation")).toHaveAttribute("data-status", "done");
    await expect(stored.output("calculation")).toContainText("36");
    await expect(stored.output("research")).not.toBeEmpty();
    await expect(stored.plan).toContainText("Research and Calculation");

    // The expanded trace passes axe (WCAG 2.1 A/AA) in both colour schemes.
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      const { violations } = await new AxeBuilder({ page })
        .include('[data-testid="agent-trace"]')
        .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
        .analyze();
      expect(violations.map((v) => `${colorScheme} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
    }
  });
});
