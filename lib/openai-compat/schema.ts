import { z } from "zod";
import { freeText, plainText } from "@/lib/http/text";
import { OpenAICompatError } from "./errors";

/**
 * The request body of POST /v1/chat/completions, as OpenAI clients send it. Only what Enclave
 * uses is checked; other OpenAI parameters (temperature, top_p, tools, …) are accepted and
 * ignored, so existing clients work unchanged. Enclave keeps the conversation on the server:
 * only the last message (the user's new one) is used.
 */
// Free-form text is cleaned of what PostgreSQL cannot store (NULs, unpaired surrogates); names are refused.
const TextPart = z.object({ type: z.literal("text"), text: freeText() }).loose();
const OtherPart = z.object({ type: z.string() }).loose();

const Message = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
    content: z.union([freeText(), z.array(z.union([TextPart, OtherPart])), z.null()]).optional(),
    name: freeText().optional(),
  })
  .loose();

export const ChatCompletionRequestSchema = z
  .object({
    model: plainText().min(1, "name a model (GET /api/v1/models lists them)"),
    messages: z.array(Message).min(1, "send at least one message"),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
    n: z.literal(1, { error: "only n = 1 is supported" }).nullish(),
    metadata: z.record(plainText(), plainText()).nullish(),
  })
  .loose()
  .superRefine((body, ctx) => {
    const i = body.messages.length - 1;
    const last = body.messages[i];
    if (!last) return; // already refused by .min(1)
    if (last.role !== "user") {
      ctx.addIssue({
        code: "custom",
        path: ["messages", i, "role"],
        message: "the last message must be the user's new message (role 'user'); Enclave keeps the conversation's history itself",
      });
      return;
    }
    const content = last.content;
    if (typeof content === "string") {
      if (!content.trim()) ctx.addIssue({ code: "custom", path: ["messages", i, "content"], message: "the message is empty" });
      return;
    }
    if (!Array.isArray(content)) {
      ctx.addIssue({ code: "custom", path: ["messages", i, "content"], message: "send the message as a string or as text content parts" });
      return;
    }
    content.forEach((part, j) => {
      if (part.type !== "text") {
        ctx.addIssue({ code: "custom", path: ["messages", i, "content", j, "type"], message: `only text content is supported, not '${part.type}'` });
      }
    });
    if (!content.some((p) => p.type === "text" && typeof p.text === "string" && p.text.trim())) {
      ctx.addIssue({ code: "custom", path: ["messages", i, "content"], message: "the message is empty" });
    }
  });

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** `messages[3].content` — the way OpenAI names a parameter in its errors. */
export function paramPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

/** Validates a parsed JSON body; a 400 in OpenAI's shape names the first bad parameter. */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0]!;
  const param = first.path.length ? paramPath(first.path) : null;
  const message = issues.map((i) => `${i.path.length ? paramPath(i.path) : "(body)"}: ${i.message}`).join("; ");
  const missing = first.code === "invalid_type" && /received undefined/.test(first.message);
  return throwInvalid(`Invalid request: ${message}`, param, missing ? "missing_required_parameter" : "invalid_value");
}

function throwInvalid(message: string, param: string | null, code: string): never {
  throw new OpenAICompatError("bad_request", message, { openaiCode: code, param });
}

/** The text of the user's new message (the last one): a string, or its text parts joined. */
export function lastUserText(req: ChatCompletionRequest): string {
  const last = req.messages[req.messages.length - 1]!;
  if (typeof last.content === "string") return last.content;
  return (last.content ?? [])
    .filter((p): p is { type: "text"; text: string } => p.type === "text" && typeof p.text === "string")
    .map((p) => p.text)
    .join("\n");
}

/**
 * Which conversation to continue: the `x-enclave-conversation-id` header or
 * `metadata.conversation_id`, or null for a new one. Naming two different ones is an error.
 */
export function requestedConversationId(req: ChatCompletionRequest, header: string | null): string | null {
  const fromHeader = header?.trim() || null;
  const fromBody = req.metadata?.conversation_id?.trim() || null;
  if (fromHeader && fromBody && fromHeader !== fromBody) {
    throwInvalid(
      "The x-enclave-conversation-id header and metadata.conversation_id name different conversations; send one.",
      "metadata.conversation_id",
      "invalid_value",
    );
  }
  return fromHeader ?? fromBody;
}
