import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { generateText, Output, stepCountIs, streamText, tool } from "ai";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createOfflineModel, OFFLINE_MODEL_LABEL } from "./offline-model";

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  // The "dom" lib typings lack ReadableStream's async iterator, so read by hand.
  const reader = stream.getReader();
  const out: T[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value);
  return out;
}

function userPrompt(text: string): LanguageModelV4CallOptions {
  return { prompt: [{ role: "user", content: [{ type: "text", text }] }] };
}

const weatherResult = { city: "Paris", tempC: 21, sky: "sunny" };

function weatherTools(execute = vi.fn(async ({ city }: { city: string }) => ({ ...weatherResult, city }))) {
  return {
    execute,
    tools: {
      lookupWeather: tool({
        description: "Current weather for a city",
        inputSchema: z.object({ city: z.string().min(1) }),
        execute,
      }),
    },
  };
}

describe("createOfflineModel", () => {
  it("is a V4 model under the enclave.offline provider", () => {
    const model = createOfflineModel({});
    expect(model.specificationVersion).toBe("v4");
    expect(model.provider).toBe("enclave.offline");
    expect(model.modelId).toBe("offline");
    expect(createOfflineModel({ modelId: "offline-large" }).modelId).toBe("offline-large");
    expect(model.supportedUrls).toEqual({});
    expect(OFFLINE_MODEL_LABEL).toBe("Offline model");
  });

  it("streams word deltas that add up to the final text, deterministically", async () => {
    const model = createOfflineModel({});
    const run = async () => {
      const result = streamText({ model, prompt: "Hello there, what can you do for our team today?" });
      const deltas: string[] = [];
      for await (const part of result.stream) if (part.type === "text-delta") deltas.push(part.text);
      return { deltas, text: await result.text, usage: await result.usage, finishReason: await result.finishReason };
    };

    const first = await run();
    const second = await run();

    expect(first.deltas.length).toBeGreaterThan(10);
    expect(first.deltas.join("")).toBe(first.text);
    expect(second.text).toBe(first.text);
    expect(second.deltas).toEqual(first.deltas);
    expect(first.text).toMatch(/built-in offline model/);
    expect(first.text).toContain("> Hello there, what can you do for our team today?");
    expect(first.text).toContain("**10 words**");
    expect(first.text).toContain("**48 characters**");
    expect(first.text).toMatch(/OPENAI_API_KEY/);
    expect(first.text).not.toContain("```");
    expect(first.text.split(/\s+/).length).toBeLessThan(120);
    expect(first.finishReason).toBe("stop");
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    expect(first.usage.totalTokens).toBe(first.usage.inputTokens! + first.usage.outputTokens!);
    expect(second.usage).toEqual(first.usage);
  });

  it("answers the same through generateText as through streamText", async () => {
    const model = createOfflineModel({});
    const prompt = "Summarise our onboarding checklist";
    const generated = await generateText({ model, prompt });
    const streamed = streamText({ model, prompt });
    expect(generated.text).toBe(await streamed.text);
    expect(generated.usage).toEqual(await streamed.usage);
    expect(generated.response.id).toBe((await streamed.response).id);
  });

  it("uses only the last user message, with or without instructions", async () => {
    const model = createOfflineModel({});
    const result = await generateText({
      model,
      instructions: "You are a helpful assistant.",
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "second question" },
      ],
    });
    expect(result.text).toContain("> second question");
    expect(result.text).not.toContain("first question");
  });

  it("includes a fenced code block when code is requested", async () => {
    const model = createOfflineModel({});
    const ts = await generateText({ model, prompt: "Write a function that adds two numbers" });
    expect(ts.text).toMatch(/```ts\n[\s\S]+\n```/);
    const py = await generateText({ model, prompt: "Can you write some python code to parse a CSV?" });
    expect(py.text).toMatch(/```python\n[\s\S]+\n```/);
    const fenced = await generateText({ model, prompt: "Why does this fail?\n```\nconst x = ;\n```" });
    expect(fenced.text.match(/```/g)!.length).toBeGreaterThanOrEqual(4);
  });

  it("calls a mentioned tool, then summarises its result (generateText)", async () => {
    const model = createOfflineModel({});
    const { tools, execute } = weatherTools();

    const result = await generateText({ model, prompt: "use lookupWeather for Paris", tools, stopWhen: stepCountIs(2) });

    expect(execute).toHaveBeenCalledTimes(1);
    expect(execute.mock.calls[0]![0]).toEqual({ city: "Paris" });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.finishReason).toBe("tool-calls");
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "lookupWeather", input: { city: "Paris" } });
    expect(result.steps[1]!.text).toContain("lookupWeather");
    expect(result.steps[1]!.text).toContain(JSON.stringify(weatherResult));
    expect(result.finishReason).toBe("stop");
  });

  it("streams the tool call as tool-input parts and finishes the round trip (streamText)", async () => {
    const model = createOfflineModel({ chunkDelayMs: 1 });
    const { tools, execute } = weatherTools();

    const result = streamText({ model, prompt: "Please use LOOKUPWEATHER for Paris.", tools, stopWhen: stepCountIs(2) });
    const types: string[] = [];
    for await (const part of result.stream) types.push(part.type);

    expect(execute).toHaveBeenCalledWith({ city: "Paris" }, expect.anything());
    for (const type of ["tool-input-start", "tool-input-delta", "tool-input-end", "tool-call", "tool-result"]) {
      expect(types).toContain(type);
    }
    expect(types.indexOf("tool-result")).toBeLessThan(types.indexOf("text-delta"));
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[1]!.text).toContain(JSON.stringify(weatherResult));
    expect((await result.usage).inputTokens).toBe(steps[0]!.usage.inputTokens! + steps[1]!.usage.inputTokens!);
  });

  it("does not call tools that are not mentioned, nor when toolChoice is none", async () => {
    const model = createOfflineModel({});
    const { tools, execute } = weatherTools();
    const unrelated = await generateText({ model, prompt: "What is the weather in Paris?", tools });
    const none = await generateText({ model, prompt: "use lookupWeather for Paris", tools, toolChoice: "none" });
    expect(execute).not.toHaveBeenCalled();
    expect(unrelated.toolCalls).toHaveLength(0);
    expect(none.toolCalls).toHaveLength(0);
    expect(none.text).toMatch(/offline model/);
  });

  it("honours a forced toolChoice even without a mention", async () => {
    const model = createOfflineModel({});
    const { tools } = weatherTools();
    const result = await generateText({ model, prompt: "city: Lyon", tools, toolChoice: "required" });
    expect(result.toolCalls[0]).toMatchObject({ toolName: "lookupWeather", input: { city: "Lyon" } });
  });

  it("produces structured output that satisfies a zod schema", async () => {
    const model = createOfflineModel({});
    const schema = z.object({
      title: z.string().min(3).max(20),
      count: z.number().int().positive(),
      ratio: z.number().min(0.5).max(0.9),
      mood: z.enum(["calm", "busy"]),
      tags: z.array(z.string()).min(3),
      owner: z.object({ email: z.email(), active: z.boolean(), since: z.iso.datetime() }),
      note: z.string().nullable(),
      kind: z.literal("plan"),
    });

    const generated = await generateText({ model, prompt: "Plan the quarterly offsite for the design team", output: Output.object({ schema }) });
    const streamed = streamText({ model, prompt: "Plan the quarterly offsite for the design team", output: Output.object({ schema }) });

    const output = generated.output;
    expect(schema.safeParse(output).success).toBe(true);
    expect(output.title).toBe("Plan the quarterly o");
    expect(output.mood).toBe("calm");
    expect(output.tags).toHaveLength(3);
    expect(new Set(output.tags).size).toBe(3);
    expect(output.kind).toBe("plan");
    expect(await streamed.output).toEqual(output);
  });

  it("supports array and choice outputs and JSON without a schema", async () => {
    const model = createOfflineModel({});
    const list = await generateText({
      model,
      prompt: "List risks",
      output: Output.array({ element: z.object({ risk: z.string(), severity: z.number().int().min(1).max(5) }), minItems: 2 }),
    });
    expect(list.output).toHaveLength(2);

    const pick = await generateText({ model, prompt: "Which agent?", output: Output.choice({ options: ["research", "writer"] }) });
    expect(pick.output).toBe("research");

    const free = await generateText({ model, prompt: "Anything", output: Output.json() });
    expect(free.output).toMatchObject({ text: expect.stringContaining("offline model") });
  });

  it("stops streaming promptly when aborted mid-stream", async () => {
    const model = createOfflineModel({ chunkDelayMs: 20 });
    const controller = new AbortController();
    const onAbort = vi.fn();
    const result = streamText({
      model,
      prompt: "Tell me everything you know about our company handbook, in detail",
      abortSignal: controller.signal,
      onAbort,
    });

    const afterAbort: string[] = [];
    let abortedAt = 0;
    for await (const part of result.stream) {
      if (abortedAt > 0) afterAbort.push(part.type);
      else if (part.type === "text-delta") {
        controller.abort();
        abortedAt = performance.now();
      }
    }
    const elapsed = performance.now() - abortedAt;

    expect(abortedAt).toBeGreaterThan(0);
    // AI SDK 7 ends the stream with an `abort` part (no `error` part) and rejects the result
    // promises with the signal's reason.
    expect(afterAbort).toEqual(["abort"]);
    expect(elapsed).toBeLessThan(500);
    expect(onAbort).toHaveBeenCalledTimes(1);
    await expect(result.text).rejects.toMatchObject({ name: "AbortError" });
  });

  it("errors its own stream with the abort reason and emits nothing after it", async () => {
    const model = createOfflineModel({ chunkDelayMs: 20 });
    const controller = new AbortController();
    const { stream } = await model.doStream({ ...userPrompt("a fairly long message with many words in it"), abortSignal: controller.signal });
    const reader = stream.getReader();
    const seen: LanguageModelV4StreamPart[] = [];
    let error: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        seen.push(value);
        if (value.type === "text-delta") controller.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "AbortError" });
    expect(seen.filter((p) => p.type === "text-delta")).toHaveLength(1);
    expect(seen.at(-1)?.type).toBe("text-delta");

    await expect(model.doStream({ ...userPrompt("x"), abortSignal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(model.doGenerate({ ...userPrompt("x"), abortSignal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("emits the V4 stream protocol with deterministic ids", async () => {
    const model = createOfflineModel({});
    const parts = await readAll((await model.doStream(userPrompt("hi"))).stream);
    const again = await readAll((await model.doStream(userPrompt("hi"))).stream);
    expect(parts).toEqual(again);
    expect(parts.map((p) => p.type).slice(0, 3)).toEqual(["stream-start", "response-metadata", "text-start"]);
    expect(parts.at(-2)?.type).toBe("text-end");
    const finish = parts.at(-1);
    expect(finish).toMatchObject({
      type: "finish",
      finishReason: { unified: "stop", raw: "stop" },
      usage: { inputTokens: { total: 1 }, outputTokens: { reasoning: 0 } },
    });
    const meta = parts[1]!;
    expect(meta).toMatchObject({ type: "response-metadata", id: expect.stringMatching(/^offline-[0-9a-f]+$/), modelId: "offline" });
    const other = await readAll((await model.doStream(userPrompt("hello"))).stream);
    expect(other[1]).not.toEqual(meta);
  });

  it("cuts plain text at maxOutputTokens with finishReason length", async () => {
    const model = createOfflineModel({});
    const result = await model.doGenerate({ ...userPrompt("hello"), maxOutputTokens: 5 });
    expect(result.finishReason).toEqual({ unified: "length", raw: "length" });
    expect(result.usage.outputTokens.total).toBeLessThanOrEqual(5);
  });
});

describe("createOfflineModel plans and aggregates (the agent team offline)", () => {
  const planSchema = (agents: [string, ...string[]]) =>
    z.object({ specialists: z.array(z.object({ agent: z.enum(agents), task: z.string().min(1), input: z.string().optional() })) });

  it("answers a plan schema by keywords, limited to the agents the schema offers", async () => {
    const model = createOfflineModel({});
    const { output } = await generateText({ model, output: Output.object({ schema: planSchema(["research", "calculation", "writing"]) }), prompt: "What is 15% of 1200?" });
    expect(output).toEqual({ specialists: [{ agent: "calculation", task: "Calculate 15*1200/100", input: "15*1200/100" }] });
    const none = await generateText({ model, output: Output.object({ schema: planSchema(["writing"]) }), prompt: "What is 15% of 1200?" });
    expect(none.output).toEqual({ specialists: [] });
    const hello = await generateText({ model, output: Output.object({ schema: planSchema(["research", "calculation", "writing"]) }), prompt: "hello" });
    expect(hello.output).toEqual({ specialists: [] });
  });

  it("calls the calculator on a quoted expression and says its exact result first", async () => {
    const model = createOfflineModel({});
    const calculator = tool({
      description: "calc",
      inputSchema: z.object({ expression: z.string() }),
      execute: async ({ expression }) => ({ expression, result: expression === "15*1200/100" ? 180 : -1 }),
    });
    const r = await generateText({ model, tools: { calculator }, stopWhen: stepCountIs(3), prompt: 'Calculate it\n\nUse the calculator tool with expression: "15*1200/100"' });
    expect(r.text).toMatch(/^`15\*1200\/100` = \*\*180\*\*/);
  });

  it("quotes <result> blocks from its instructions and says which one is missing", async () => {
    const model = createOfflineModel({});
    const r = await generateText({
      model,
      instructions: 'Answer.\n<result from="calculation" status="done">\n7*6 = **42**\n</result>\n<result from="writing" status="timeout">\ntimed out after 1 s\n</result>',
      prompt: "Calculate 7*6 and draft a note",
    });
    expect(r.text).toContain("**calculation** contributed:\n\n> 7*6 = **42**");
    expect(r.text).toContain("**writing** did not finish (timeout: timed out after 1 s), so that part of the answer is missing.");
  });
});
