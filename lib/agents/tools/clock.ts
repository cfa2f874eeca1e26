import { tool } from "ai";
import { z } from "zod";

/** The current date and time, so the model does not have to guess what "today" is. */
export function nowIn(timeZone: string, now = new Date()): { timeZone: string; iso: string; local: string } {
  const local = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    dateStyle: "full",
    timeStyle: "long",
  }).format(now);
  return { timeZone, iso: now.toISOString(), local };
}

export const clock = tool({
  description: "Get the current date and time, optionally in an IANA time zone such as Europe/Paris.",
  inputSchema: z.object({ timeZone: z.string().max(64).optional().describe("IANA time zone, default UTC") }),
  execute: async ({ timeZone }) => {
    try {
      return nowIn(timeZone && timeZone.trim() ? timeZone : "UTC");
    } catch {
      return { ...nowIn("UTC"), note: `Unknown time zone "${timeZone}"; showing UTC.` };
    }
  },
});
