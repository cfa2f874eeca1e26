import { z } from "zod";
import { freeText } from "@/lib/http/text";

/** Ids we accept from clients: what useChat/crypto generate, nothing that could be a path or SQL. */
export const ClientId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "use letters, digits, '-' or '_' only");

// Free-form: NULs and unpaired surrogates (which PostgreSQL cannot store) are cleaned out.
const TextPart = z.object({ type: z.literal("text"), text: freeText() });

/**
 * The body of POST /api/chat. The client sends only its new message; history is loaded on the
 * server, never trusted from the client. Only text parts are accepted from users for now.
 */
export const ChatRequestSchema = z.object({
  id: ClientId,
  message: z.object({
    id: ClientId,
    role: z.literal("user", { error: "only user messages can be sent" }),
    parts: z
      .array(TextPart, { error: "parts must be a list of {type: 'text', text} objects" })
      .min(1, "the message has no parts")
      .max(32),
    metadata: z.unknown().optional(),
  }),
  trigger: z.enum(["submit-message", "regenerate-message"]).optional(),
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export function messageText(parts: ReadonlyArray<{ type: string; text?: string }>): string {
  return parts
    .filter((p) => p.type === "text" && typeof p.text === "string")
    .map((p) => p.text)
    .join("\n");
}

/** A conversation's first title: its first line, trimmed to fit the sidebar. */
export function titleFrom(text: string): string {
  const line = text.trim().split(/\r?\n/, 1)[0]?.trim() ?? "";
  const clean = line.replace(/\s+/g, " ");
  if (!clean) return "New conversation";
  if (clean.length <= 80) return clean;
  // Cut between user-perceived characters, never inside an emoji or a combining sequence.
  const graphemes = Array.from(segmenter.segment(clean), (g) => g.segment);
  if (graphemes.length <= 80) return clean;
  return `${graphemes.slice(0, 77).join("")}…`;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
