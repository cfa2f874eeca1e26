import type {
  JSONSchema7,
  JSONSchema7Definition,
  JSONValue,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4FunctionTool,
  LanguageModelV4GenerateResult,
  LanguageModelV4Message,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4ToolResultOutput,
  LanguageModelV4Usage,
  SharedV4Warning,
} from "@ai-sdk/provider";
import { keywordPlan } from "./keyword-plan";

/**
 * Enclave's built-in model for installations without an AI provider. It is a real AI SDK
 * V4 language model (streaming, tool calls, structured output, abort) so every code path
 * above it can run, and be tested, with no network and no key. Output depends only on the
 * call options: the same prompt always produces the same text, ids and usage.
 */

export const OFFLINE_MODEL_LABEL = "Offline model";
export const OFFLINE_PROVIDER = "enclave.offline";
export const OFFLINE_DEFAULT_MODEL_ID = "offline";

export interface OfflineModelOptions {
  /** Reported as `modelId`; defaults to `"offline"`. */
  modelId?: string;
  /** Pause between streamed text deltas, so the UI shows typing. Defaults to 0. */
  chunkDelayMs?: number;
}

export function createOfflineModel(opts: OfflineModelOptions = {}): LanguageModelV4 {
  const modelId = opts.modelId ?? OFFLINE_DEFAULT_MODEL_ID;
  const chunkDelayMs = Math.max(0, opts.chunkDelayMs ?? 0);

  return {
    specificationVersion: "v4",
    provider: OFFLINE_PROVIDER,
    modelId,
    // Nothing is fetched by this model, so the SDK must download any URL parts itself.
    supportedUrls: {},

    async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
      options.abortSignal?.throwIfAborted();
      const answer = planAnswer(options, modelId);
      const content: LanguageModelV4Content[] =
        answer.kind === "text"
          ? [{ type: "text", text: answer.text }]
          : [{ type: "tool-call", toolCallId: answer.toolCallId, toolName: answer.toolName, input: answer.input }];
      return {
        content,
        finishReason: answer.finishReason,
        usage: answer.usage,
        warnings: answer.warnings,
        response: { id: answer.responseId, modelId },
      };
    },

    async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
      // Same contract as fetch: a call that starts already aborted rejects with the reason.
      options.abortSignal?.throwIfAborted();
      const answer = planAnswer(options, modelId);
      return { stream: pacedStream(toStreamParts(answer, modelId), chunkDelayMs, options.abortSignal) };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Planning: decide the whole answer up front; generate and stream only differ in delivery.

type Answer = {
  responseId: string;
  usage: LanguageModelV4Usage;
  finishReason: LanguageModelV4FinishReason;
  warnings: SharedV4Warning[];
} & ({ kind: "text"; text: string } | { kind: "tool-call"; toolCallId: string; toolName: string; input: string });

const FINISH_STOP: LanguageModelV4FinishReason = { unified: "stop", raw: "stop" };
const FINISH_LENGTH: LanguageModelV4FinishReason = { unified: "length", raw: "length" };
const FINISH_TOOL_CALLS: LanguageModelV4FinishReason = { unified: "tool-calls", raw: "tool-calls" };

function planAnswer(options: LanguageModelV4CallOptions, modelId: string): Answer {
  const { prompt } = options;
  const promptKey = `${modelId}\u0000${stableStringify(prompt)}`;
  const responseId = `offline-${hash(promptKey)}`;
  const inputTokens = estimateTokens(promptText(prompt));
  const functionTools = (options.tools ?? []).filter((t): t is LanguageModelV4FunctionTool => t.type === "function");
  const warnings: SharedV4Warning[] = (options.tools ?? [])
    .filter((t) => t.type === "provider")
    .map((t) => ({ type: "unsupported", feature: `provider tool ${t.name}`, details: "The offline model only calls function tools." }));

  const lastMessage = prompt.at(-1);
  const userText = lastUserText(prompt);

  const call = chooseToolCall(functionTools, options.toolChoice, lastMessage, userText);
  if (call) {
    const input = JSON.stringify(sampleSchema(call.tool.inputSchema, { fragment: call.fragment, fullText: userText }));
    return {
      kind: "tool-call",
      responseId,
      toolCallId: `call_${hash(`${promptKey}\u0000${call.tool.name}`)}`,
      toolName: call.tool.name,
      input,
      finishReason: FINISH_TOOL_CALLS,
      usage: usage(inputTokens, estimateTokens(call.tool.name + input), 0),
      warnings,
    };
  }

  if (options.responseFormat?.type === "json") {
    const schema = options.responseFormat.schema;
    const value: JSONValue = schema
      ? (planFor(schema, userText) ?? sampleSchema(schema, { fragment: condense(userText), fullText: userText }))
      : { text: chatReply(userText, attachmentsOf(prompt)) };
    // Structured output is never cut at maxOutputTokens: a truncated JSON document would
    // make every offline router/extractor call fail to parse.
    const text = JSON.stringify(value, null, 2);
    const outputTokens = estimateTokens(text);
    return { kind: "text", responseId, text, finishReason: FINISH_STOP, usage: usage(inputTokens, outputTokens, outputTokens), warnings };
  }

  const fullText =
    lastMessage?.role === "tool" && lastMessage.content.some((p) => p.type === "tool-result")
      ? toolResultReply(lastMessage)
      : (resultsReply(prompt, userText) ?? chatReply(userText, attachmentsOf(prompt)));
  const { text, truncated } = limitTokens(fullText, options.maxOutputTokens);
  const outputTokens = estimateTokens(text);
  return {
    kind: "text",
    responseId,
    text,
    finishReason: truncated ? FINISH_LENGTH : FINISH_STOP,
    usage: usage(inputTokens, outputTokens, outputTokens),
    warnings,
  };
}

function chooseToolCall(
  tools: LanguageModelV4FunctionTool[],
  toolChoice: LanguageModelV4CallOptions["toolChoice"],
  lastMessage: LanguageModelV4Message | undefined,
  userText: string,
): { tool: LanguageModelV4FunctionTool; fragment: string } | undefined {
  if (tools.length === 0 || toolChoice?.type === "none") return undefined;
  const mentioned = tools
    .map((tool) => ({ tool, at: mentionIndex(userText, tool.name) }))
    .filter((m) => m.at >= 0)
    .sort((a, b) => a.at - b.at)[0];
  const fragmentFor = (tool: LanguageModelV4FunctionTool, at: number) =>
    at >= 0 ? fragmentAfter(userText, at + tool.name.length) : condense(userText);

  // AI SDK 7 throws ToolChoiceViolationError when an enforced choice is not honoured, so a
  // forced tool is called even without a mention (and even after a tool result).
  if (toolChoice?.type === "tool") {
    const tool = tools.find((t) => t.name === toolChoice.toolName);
    return tool ? { tool, fragment: fragmentFor(tool, mentionIndex(userText, tool.name)) } : undefined;
  }
  if (toolChoice?.type === "required") {
    const tool = mentioned?.tool ?? tools[0]!;
    return { tool, fragment: fragmentFor(tool, mentioned?.at ?? -1) };
  }
  // Only a fresh user turn triggers a call; after a tool result we answer, which also keeps
  // multi-step loops from calling the same tool forever.
  if (lastMessage?.role !== "user" || !mentioned) return undefined;
  return { tool: mentioned.tool, fragment: fragmentFor(mentioned.tool, mentioned.at) };
}

// ---------------------------------------------------------------------------------------
// Plans: a team's orchestrator asks for `{ specialists: [{ agent, task, input? }] }`, with the
// agents it may plan as the enum of `agent`. The offline model cannot reason, so it routes by
// keywords (lib/models/keyword-plan.ts), limited to that enum.

function planFor(schema: JSONSchema7, userText: string): JSONValue | undefined {
  const root = resolveSchema(schema, schema);
  const list = root.properties?.specialists;
  if (!list || typeof list === "boolean") return undefined;
  const items = resolveSchema(list, schema).items;
  if (!items || typeof items === "boolean" || Array.isArray(items)) return undefined;
  const item = resolveSchema(items, schema);
  const agent = item.properties?.agent;
  if (!agent || typeof agent === "boolean") return undefined;
  const allowed = (resolveSchema(agent, schema).enum ?? []).filter((v): v is string => typeof v === "string");
  if (allowed.length === 0 || !item.properties?.task) return undefined;
  const base = sampleSchema(schema, { fragment: condense(userText), fullText: userText });
  const specialists = keywordPlan(userText, allowed).map((p) => (item.properties?.input ? { ...p } : { agent: p.agent, task: p.task }));
  return { ...(typeof base === "object" && base !== null && !Array.isArray(base) ? base : {}), specialists };
}

// ---------------------------------------------------------------------------------------
// Replies

const NOTE =
  "_This is Enclave's built-in offline model: no AI provider is configured, so it answers deterministically and does not reason._";
const HINT = "An admin can connect a real model by setting `OPENAI_API_KEY` or `OPENAI_BASE_URL`.";
const QUOTE_MAX_CHARS = 280;
const TOOL_RESULT_MAX_CHARS = 500;

interface Attachment {
  filename?: string;
  mediaType: string;
}

function chatReply(userText: string, attachments: Attachment[]): string {
  const text = userText.trim();
  const blocks = [NOTE];
  if (text.length === 0) {
    blocks.push("Your message had no text.");
  } else {
    const words = countWords(text);
    const chars = Array.from(text).length;
    blocks.push(
      `You wrote:\n\n${blockquote(truncate(text, QUOTE_MAX_CHARS))}`,
      `That is **${words} ${words === 1 ? "word" : "words"}** and **${chars} ${chars === 1 ? "character" : "characters"}**.`,
    );
  }
  if (attachments.length > 0) {
    const names = attachments.map((a) => `\`${inlineSafe(a.filename ?? a.mediaType)}\``).join(", ");
    blocks.push(`Attached: ${names}. The offline model cannot read attachments.`);
  }
  if (asksForCode(text)) blocks.push(codeSample(text));
  blocks.push(HINT);
  return blocks.join("\n\n");
}

/**
 * Results handed to the model in its instructions as `<result from="name" status="done">…</result>`
 * blocks (a team's aggregator does): quoted one by one, and a failed one said to be missing.
 */
const RESULT_BLOCK = /<result from="([^"]{1,64})" status="([a-z]{1,16})">([\s\S]*?)<\/result>/g;
const RESULT_QUOTE_MAX_CHARS = 1_500;

function resultsReply(prompt: LanguageModelV4Prompt, userText: string): string | undefined {
  const system = prompt.flatMap((m) => (m.role === "system" ? [m.content] : [])).join("\n");
  const blocks = [...system.matchAll(RESULT_BLOCK)];
  if (blocks.length === 0) return undefined;
  const out = [NOTE, `Your request:\n\n${blockquote(truncate(condense(userText), QUOTE_MAX_CHARS))}`];
  for (const [, from, status, body] of blocks) {
    const name = inlineSafe(from!);
    // A result the offline model wrote itself (a specialist's) loses its own notes: said once is enough.
    const text = body!.split(NOTE).join("").split(HINT).join("").trim();
    if (status === "done") out.push(`**${name}** contributed:\n\n${blockquote(truncate(text, RESULT_QUOTE_MAX_CHARS))}`);
    else out.push(`**${name}** did not finish (${status}${text ? `: ${truncate(condense(text), 200)}` : ""}), so that part of the answer is missing.`);
  }
  return out.join("\n\n");
}

function toolResultReply(message: Extract<LanguageModelV4Message, { role: "tool" }>): string {
  const lines = message.content.flatMap((part) => {
    if (part.type !== "tool-result") return [];
    const name = inlineSafe(part.toolName);
    const { verb, body } = describeToolOutput(part.output);
    const lead = resultLine(part.output);
    return [`${lead}The tool \`${name}\` ${verb}:\n\n\`\`\`json\n${truncate(body, TOOL_RESULT_MAX_CHARS)}\n\`\`\``];
  });
  return [...lines, "_Offline model: tool results are passed through without interpretation._"].join("\n\n");
}

/** A tool answering `{ expression, result }` (a calculator) gets its exact result said first. */
function resultLine(output: LanguageModelV4ToolResultOutput): string {
  if (output.type !== "json" || typeof output.value !== "object" || output.value === null || Array.isArray(output.value)) return "";
  const { expression, result } = output.value as Record<string, JSONValue | undefined>;
  if (typeof result !== "number" && typeof result !== "string") return "";
  return typeof expression === "string" ? `\`${inlineSafe(expression)}\` = **${result}**\n\n` : `Result: **${result}**\n\n`;
}

function describeToolOutput(output: LanguageModelV4ToolResultOutput): { verb: string; body: string } {
  switch (output.type) {
    case "json":
      return { verb: "returned", body: JSON.stringify(output.value) ?? "null" };
    case "text":
      return { verb: "returned", body: JSON.stringify(output.value) };
    case "error-json":
      return { verb: "failed with", body: JSON.stringify(output.value) ?? "null" };
    case "error-text":
      return { verb: "failed with", body: JSON.stringify(output.value) };
    case "execution-denied":
      return { verb: "was not run", body: JSON.stringify({ denied: true, reason: output.reason ?? null }) };
    case "content":
      return {
        verb: "returned",
        body: JSON.stringify(output.value.map((p) => (p.type === "text" ? p.text : `[${p.type}]`)).join("\n")),
      };
  }
}

function asksForCode(text: string): boolean {
  return text.includes("```") || /\b(?:code|functions?|scripts?)\b/i.test(text);
}

function codeSample(text: string): string {
  // Backticks and line breaks would end the fence or the comment early.
  const topic = truncate(condense(text).replace(/`/g, "'"), 60);
  if (/\bpython\b/i.test(text)) {
    return [
      "Here is a placeholder; a real model would write code for your request:",
      "",
      "```python",
      `# Request: ${topic}`,
      "def echo(message: str) -> str:",
      "    return message",
      "```",
    ].join("\n");
  }
  if (/\b(?:bash|shell|sh)\b/i.test(text)) {
    return [
      "Here is a placeholder; a real model would write code for your request:",
      "",
      "```bash",
      `# Request: ${topic}`,
      'echo "$1"',
      "```",
    ].join("\n");
  }
  return [
    "Here is a placeholder; a real model would write code for your request:",
    "",
    "```ts",
    `// Request: ${topic}`,
    "export function echo(message: string): string {",
    "  return message;",
    "}",
    "```",
  ].join("\n");
}

function blockquote(text: string): string {
  return text
    .split("\n")
    .map((line) => (line.length > 0 ? `> ${line}` : ">"))
    .join("\n");
}

// ---------------------------------------------------------------------------------------
// Prompt reading

function lastUserText(prompt: LanguageModelV4Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]!;
    if (message.role !== "user") continue;
    return message.content
      .map((part) => (part.type === "text" ? part.text : part.data.type === "text" ? part.data.text : ""))
      .filter((t) => t.length > 0)
      .join("\n");
  }
  return "";
}

function attachmentsOf(prompt: LanguageModelV4Prompt): Attachment[] {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]!;
    if (message.role !== "user") continue;
    return message.content.flatMap((p) =>
      p.type === "file" && p.data.type !== "text" ? [{ filename: p.filename, mediaType: p.mediaType }] : [],
    );
  }
  return [];
}

/** Everything a provider would bill as input text; binary data counts by name only. */
function promptText(prompt: LanguageModelV4Prompt): string {
  const pieces: string[] = [];
  for (const message of prompt) {
    if (message.role === "system") {
      pieces.push(message.content);
      continue;
    }
    for (const part of message.content) {
      switch (part.type) {
        case "text":
        case "reasoning":
          pieces.push(part.text);
          break;
        case "file":
          pieces.push(part.data.type === "text" ? part.data.text : (part.filename ?? part.mediaType));
          break;
        case "tool-call":
          pieces.push(part.toolName, JSON.stringify(part.input) ?? "");
          break;
        case "tool-result":
          pieces.push(part.toolName, JSON.stringify(part.output));
          break;
        case "tool-approval-response":
          pieces.push(part.reason ?? "");
          break;
        default:
          break;
      }
    }
  }
  return pieces.join("\n");
}

function mentionIndex(text: string, name: string): number {
  // Tool names may contain "-" or ".", which \b does not treat as word characters.
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, "iu");
  return re.exec(text)?.index ?? -1;
}

const FILLER = /^(?:\s|[:,\-–—]|\b(?:for|with|on|about|to|in|at|of|using|please|the|a|an)\b)+/iu;

/** The words after the tool's name, e.g. "use lookupWeather for Paris" → "Paris". */
function fragmentAfter(text: string, from: number): string {
  const rest = condense(text.slice(from)).replace(FILLER, "").replace(/[.?!]+$/u, "").trim();
  return rest.length > 0 ? rest : condense(text);
}

function condense(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

// ---------------------------------------------------------------------------------------
// JSON Schema sampling: a value that validates against the schema, built from the user's words.

interface SampleContext {
  /** Default for free-text strings. */
  fragment: string;
  /** Searched for explicit `key: value` pairs. */
  fullText: string;
}

const MAX_DEPTH = 12;
const MAX_ITEMS = 50;
const MAX_STRING = 200;

function sampleSchema(schema: JSONSchema7, ctx: SampleContext): JSONValue {
  return sample(schema, { ...ctx, root: schema }, 0, 0, undefined);
}

function sample(
  def: JSONSchema7Definition | undefined,
  ctx: SampleContext & { root: JSONSchema7 },
  depth: number,
  index: number,
  key: string | undefined,
): JSONValue {
  if (def === undefined || def === true) return sampleString({}, ctx, index, key);
  if (def === false || depth > MAX_DEPTH) return null;

  const schema = resolveSchema(def, ctx.root);
  if (schema.const !== undefined) return schema.const as JSONValue;
  if (schema.enum && schema.enum.length > 0) {
    // Cycling through the values keeps array items distinct for `uniqueItems`.
    return schema.enum[index % schema.enum.length] as JSONValue;
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) {
    const resolved = alternatives.map((a) => (typeof a === "boolean" ? a : resolveSchema(a, ctx.root)));
    const preferred = resolved.find((a) => typeof a !== "boolean" && a.type !== "null") ?? resolved[0];
    return sample(preferred, ctx, depth + 1, index, key);
  }

  switch (schemaType(schema)) {
    case "null":
      return null;
    case "boolean": {
      const explicit = explicitValue(ctx.fullText, key);
      return explicit === "false" ? false : true;
    }
    case "integer":
    case "number":
      return sampleNumber(schema, ctx, index, key);
    case "array":
      return sampleArray(schema, ctx, depth);
    case "object":
      return sampleObject(schema, ctx, depth, index);
    default:
      return sampleString(schema, ctx, index, key);
  }
}

function resolveSchema(def: JSONSchema7, root: JSONSchema7): JSONSchema7 {
  let schema = def;
  for (let hops = 0; schema.$ref && hops < 10; hops++) {
    const target = resolvePointer(root, schema.$ref);
    if (!target) break;
    const { $ref: _ref, ...rest } = schema;
    schema = { ...target, ...rest };
  }
  if (schema.allOf && schema.allOf.length > 0) {
    const { allOf, ...rest } = schema;
    schema = allOf.reduce<JSONSchema7>(
      (acc, part) => (typeof part === "boolean" ? acc : mergeSchemas(acc, resolveSchema(part, root))),
      rest,
    );
  }
  return schema;
}

function resolvePointer(root: JSONSchema7, ref: string): JSONSchema7 | undefined {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return typeof node === "object" && node !== null ? (node as JSONSchema7) : undefined;
}

function mergeSchemas(a: JSONSchema7, b: JSONSchema7): JSONSchema7 {
  return {
    ...a,
    ...b,
    properties: { ...a.properties, ...b.properties },
    required: [...new Set([...(a.required ?? []), ...(b.required ?? [])])],
  };
}

function schemaType(schema: JSONSchema7): string {
  const declared = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? schema.type[0]) : schema.type;
  if (declared) return declared;
  if (schema.properties || schema.required) return "object";
  if (schema.items || schema.minItems !== undefined) return "array";
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined) return "number";
  return "string";
}

function sampleObject(schema: JSONSchema7, ctx: SampleContext & { root: JSONSchema7 }, depth: number, index: number): JSONValue {
  const result: Record<string, JSONValue> = {};
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  // Deep recursive schemas would never end if optional branches were always filled.
  const keys = depth > MAX_DEPTH / 2 ? required : [...new Set([...Object.keys(properties), ...required])];
  for (const key of keys) {
    result[key] = sample(properties[key], ctx, depth + 1, index, key);
  }
  return result;
}

function sampleArray(schema: JSONSchema7, ctx: SampleContext & { root: JSONSchema7 }, depth: number): JSONValue {
  const prefix = tupleItems(schema);
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  const count = Math.min(Math.max(schema.minItems ?? 0, prefix.length), schema.maxItems ?? MAX_ITEMS, MAX_ITEMS);
  const items: JSONValue[] = [];
  for (let i = 0; i < count; i++) {
    items.push(sample(prefix[i] ?? (rest === undefined ? true : rest), ctx, depth + 1, i, undefined));
  }
  return items;
}

function tupleItems(schema: JSONSchema7): JSONSchema7Definition[] {
  if (Array.isArray(schema.items)) return schema.items;
  // Draft 2020-12 tuples; not in the draft-07 typings the SDK uses.
  const prefixItems = (schema as { prefixItems?: unknown }).prefixItems;
  return Array.isArray(prefixItems) ? (prefixItems as JSONSchema7Definition[]) : [];
}

function sampleNumber(schema: JSONSchema7, ctx: SampleContext, index: number, key: string | undefined): number {
  const integer = schemaType(schema) === "integer";
  const explicit = Number(explicitValue(ctx.fullText, key) ?? Number.NaN);
  let value = Number.isFinite(explicit) && (!integer || Number.isInteger(explicit)) ? explicit : 1 + index;

  const step = integer ? 1 : 0.5;
  let low = schema.minimum ?? -Infinity;
  if (typeof schema.exclusiveMinimum === "number") low = Math.max(low, schema.exclusiveMinimum + step);
  let high = schema.maximum ?? Infinity;
  if (typeof schema.exclusiveMaximum === "number") high = Math.min(high, schema.exclusiveMaximum - step);
  value = Math.min(Math.max(value, low), high);
  if (integer) value = Math.ceil(value) <= high ? Math.ceil(value) : Math.floor(value);
  if (schema.multipleOf) {
    const up = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
    value = up <= high ? up : Math.floor(value / schema.multipleOf) * schema.multipleOf;
  }
  return value;
}

const FORMAT_SAMPLES: Record<string, string> = {
  email: "user@example.com",
  "idn-email": "user@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  "uri-reference": "https://example.com/",
  iri: "https://example.com/",
  hostname: "example.com",
  "idn-hostname": "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  "date-time": "1970-01-01T00:00:00.000Z",
  date: "1970-01-01",
  time: "00:00:00",
  duration: "P1D",
  uuid: "00000000-0000-4000-8000-000000000000",
  regex: ".*",
};

function sampleString(schema: JSONSchema7, ctx: SampleContext, index: number, key: string | undefined): string {
  const formatted = schema.format ? FORMAT_SAMPLES[schema.format] : undefined;
  const base = formatted ?? explicitValue(ctx.fullText, key) ?? (truncate(ctx.fragment, MAX_STRING) || "offline");
  const suffix = index > 0 && !formatted ? ` (${index + 1})` : "";
  const candidates = [base, ...Object.values(FORMAT_SAMPLES), "offline", "a", "A", "0"];
  const pattern = safeRegExp(schema.pattern);
  const chosen = pattern ? (candidates.find((c) => pattern.test(c)) ?? base) : base;
  return fitLength(chosen, suffix, schema.minLength, schema.maxLength);
}

function fitLength(base: string, suffix: string, minLength = 0, maxLength = Infinity): string {
  const chars = Array.from(base);
  const room = Math.max(0, maxLength - Array.from(suffix).length);
  let value = (chars.length > room ? chars.slice(0, room).join("") : base) + suffix;
  if (Array.from(value).length > maxLength) value = Array.from(value).slice(0, maxLength).join("");
  const missing = minLength - Array.from(value).length;
  return missing > 0 ? value + ".".repeat(missing) : value;
}

/** `city: Paris`, `city = "New York"` in the user's text win over the generic fragment. */
function explicitValue(text: string, key: string | undefined): string | undefined {
  if (!key) return undefined;
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(key)}\\s*[:=]\\s*(?:"([^"]*)"|'([^']*)'|([^\\s,;]+))`, "iu");
  const m = re.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function safeRegExp(pattern: string | undefined): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Streaming

function toStreamParts(answer: Answer, modelId: string): LanguageModelV4StreamPart[] {
  const parts: LanguageModelV4StreamPart[] = [
    { type: "stream-start", warnings: answer.warnings },
    { type: "response-metadata", id: answer.responseId, modelId },
  ];
  if (answer.kind === "text") {
    const id = `${answer.responseId}-text`;
    parts.push({ type: "text-start", id });
    for (const delta of splitWords(answer.text)) parts.push({ type: "text-delta", id, delta });
    parts.push({ type: "text-end", id });
  } else {
    const id = answer.toolCallId;
    parts.push(
      { type: "tool-input-start", id, toolName: answer.toolName },
      { type: "tool-input-delta", id, delta: answer.input },
      { type: "tool-input-end", id },
      { type: "tool-call", toolCallId: id, toolName: answer.toolName, input: answer.input },
    );
  }
  parts.push({ type: "finish", finishReason: answer.finishReason, usage: answer.usage });
  return parts;
}

/** One chunk per word with its trailing whitespace; leading whitespace rides on the first. */
function splitWords(text: string): string[] {
  const words = text.match(/\s*\S+\s*/gu);
  if (!words) return text.length > 0 ? [text] : [];
  return [words[0]!, ...words.slice(1).map((w) => w.replace(/^\s+/u, ""))].filter((w) => w.length > 0);
}

/**
 * Pull-based so a slow reader applies backpressure. On abort the stream errors with the
 * signal's reason (an AbortError by default), exactly like a fetch body, which is what
 * streamText recognises as an abort rather than a provider failure.
 */
function pacedStream(
  parts: LanguageModelV4StreamPart[],
  chunkDelayMs: number,
  abortSignal: AbortSignal | undefined,
): ReadableStream<LanguageModelV4StreamPart> {
  const stop = new AbortController();
  let index = 0;
  let deltasSent = 0;
  let onAbort: (() => void) | undefined;
  const detach = () => {
    if (onAbort) abortSignal?.removeEventListener("abort", onAbort);
    onAbort = undefined;
  };

  return new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      if (!abortSignal) return;
      onAbort = () => {
        detach();
        stop.abort();
        controller.error(abortReason(abortSignal));
      };
      abortSignal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      if (stop.signal.aborted) return;
      const part = parts[index];
      if (!part) {
        detach();
        controller.close();
        return;
      }
      if (part.type === "text-delta") {
        if (deltasSent > 0 && chunkDelayMs > 0) {
          try {
            await sleep(chunkDelayMs, stop.signal);
          } catch {
            return; // aborted or cancelled; the stream has already been settled
          }
        }
        deltasSent++;
      }
      index++;
      controller.enqueue(part);
    },
    cancel() {
      detach();
      stop.abort();
    },
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------
// Small helpers

/** A rough, deterministic stand-in for a tokenizer: about four characters per token. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function usage(inputTokens: number, outputTokens: number, textTokens: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: textTokens, reasoning: 0 },
  };
}

function limitTokens(text: string, maxOutputTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxOutputTokens === undefined || estimateTokens(text) <= maxOutputTokens) return { text, truncated: false };
  return { text: text.slice(0, Math.max(0, maxOutputTokens * 4)), truncated: true };
}

function countWords(text: string): number {
  return text.split(/\s+/u).filter((w) => w.length > 0).length;
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

function inlineSafe(text: string): string {
  return text.replace(/[`\r\n]/g, "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** JSON with sorted keys and byte arrays as hex, so equal prompts hash equally. */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
    if (v instanceof URL) return v.href;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** cyrb53-style 53-bit hash as hex: stable across runtimes and fast on long prompts. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}
