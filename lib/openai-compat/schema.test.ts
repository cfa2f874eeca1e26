import { describe, expect, it } from "vitest";
import { OpenAICompatError } from "./errors";
import { findModel, listModels } from "./models";
import { lastUserText, paramPath, parseChatCompletionRequest, requestedConversationId } from "./schema";

function refusal(body: unknown): OpenAICompatError {
  try {
    parseChatCompletionRequest(body);
  } catch (e) {
    expect(e).toBeInstanceOf(OpenAICompatError);
    return e as OpenAICompatError;
  }
  throw new Error("expected a refusal");
}

async function envelope(e: OpenAICompatError) {
  const res = e.toOpenAIResponse();
  return { status: res.status, body: (await res.json()) as { error: Record<string, unknown> } };
}

describe("chat completion request schema", () => {
  it("accepts OpenAI's request shape and ignores parameters Enclave does not use", () => {
    const req = parseChatCompletionRequest({
      model: "enclave",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!", refusal: null },
        { role: "user", content: "What is Enclave?" },
      ],
      temperature: 0.2,
      top_p: 1,
      max_tokens: 50,
      user: "someone",
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(req.stream).toBe(true);
    expect(req.stream_options?.include_usage).toBe(true);
    expect(lastUserText(req)).toBe("What is Enclave?");
  });

  it("reads text content parts of the last message", () => {
    const req = parseChatCompletionRequest({
      model: "enclave",
      messages: [{ role: "user", content: [{ type: "text", text: "line one" }, { type: "text", text: "line two" }] }],
    });
    expect(lastUserText(req)).toBe("line one\nline two");
  });

  it("accepts null for optional parameters, as some clients send them", () => {
    const req = parseChatCompletionRequest({ model: "enclave", messages: [{ role: "user", content: "x" }], stream: null, stream_options: null, n: 1, metadata: null });
    expect(req.stream).toBeNull();
  });

  it.each([
    [{ messages: [{ role: "user", content: "x" }] }, "model", "missing_required_parameter"],
    [{ model: "enclave" }, "messages", "missing_required_parameter"],
    [{ model: "enclave", messages: [] }, "messages", "invalid_value"],
    [{ model: 42, messages: [{ role: "user", content: "x" }] }, "model", "invalid_value"],
    [{ model: "enclave", messages: [{ role: "wizard", content: "x" }] }, "messages[0].role", "invalid_value"],
    [{ model: "enclave", messages: [{ role: "user", content: "x" }, { role: "assistant", content: "y" }] }, "messages[1].role", "invalid_value"],
    [{ model: "enclave", messages: [{ role: "user", content: "   " }] }, "messages[0].content", "invalid_value"],
    [{ model: "enclave", messages: [{ role: "user", content: null }] }, "messages[0].content", "invalid_value"],
    [{ model: "enclave", messages: [{ role: "user", content: [] }] }, "messages[0].content", "invalid_value"],
    [
      { model: "enclave", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://x/y.png" } }] }] },
      "messages[0].content[0].type",
      "invalid_value",
    ],
    [{ model: "enclave", messages: [{ role: "user", content: "x" }], stream: "yes" }, "stream", "invalid_value"],
    [{ model: "enclave", messages: [{ role: "user", content: "x" }], n: 2 }, "n", "invalid_value"],
  ])("refuses %j with a 400 naming %s", async (body, param, code) => {
    const { status, body: res } = await envelope(refusal(body));
    expect(status).toBe(400);
    expect(res.error).toMatchObject({ type: "invalid_request_error", param, code });
    expect(res.error.message).toMatch(/^Invalid request: /);
  });

  it("refuses a body that is not an object", async () => {
    for (const body of [null, [], "hello", 3]) {
      expect((await envelope(refusal(body))).status).toBe(400);
    }
  });

  it("explains why the last message must be the user's", () => {
    expect(refusal({ model: "enclave", messages: [{ role: "system", content: "x" }] }).message).toMatch(/last message must be the user's new message/);
  });

  it("names paths the way OpenAI does", () => {
    expect(paramPath(["messages", 3, "content", 0, "type"])).toBe("messages[3].content[0].type");
    expect(paramPath(["model"])).toBe("model");
    expect(paramPath([])).toBe("");
  });
});

describe("which conversation a request continues", () => {
  const req = (metadata?: Record<string, string>) =>
    parseChatCompletionRequest({ model: "enclave", messages: [{ role: "user", content: "x" }], ...(metadata ? { metadata } : {}) });

  it("is a new one unless the header or metadata names one", () => {
    expect(requestedConversationId(req(), null)).toBeNull();
    expect(requestedConversationId(req(), "  ")).toBeNull();
    expect(requestedConversationId(req(), "conv-1")).toBe("conv-1");
    expect(requestedConversationId(req({ conversation_id: "conv-2" }), null)).toBe("conv-2");
    expect(requestedConversationId(req({ conversation_id: "conv-3" }), "conv-3")).toBe("conv-3");
    expect(requestedConversationId(req({ other: "x" }), null)).toBeNull();
  });

  it("refuses two different names", async () => {
    let err: unknown;
    try {
      requestedConversationId(req({ conversation_id: "a" }), "b");
    } catch (e) {
      err = e;
    }
    const { status, body } = await envelope(err as OpenAICompatError);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ param: "metadata.conversation_id", type: "invalid_request_error" });
  });
});

describe("models", () => {
  it("lists the default assistant as 'enclave' in OpenAI's shape", () => {
    const list = listModels();
    expect(list.object).toBe("list");
    expect(list.data).toEqual([{ id: "enclave", object: "model", created: expect.any(Number), owned_by: "enclave" }]);
    expect(findModel("enclave")?.id).toBe("enclave");
    expect(findModel("gpt-4o")).toBeUndefined();
  });
});
