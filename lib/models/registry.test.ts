import { describe, expect, it } from "vitest";
import type { Env } from "@/lib/config/env";
import { describeModels, getLanguageModel, providerKind } from "./registry";

const base = { MODEL_MAX_RETRIES: 2, OFFLINE_MODEL_DELAY_MS: 0 } as unknown as Env;

describe("model registry", () => {
  it("uses the offline model when nothing is configured, labelled as such", async () => {
    const m = await getLanguageModel("large", base);
    expect(m).toMatchObject({ provider: "offline", label: "Offline model", modelId: "offline-large" });
    expect(m.model.specificationVersion).toBe("v4");
    expect(describeModels(base).label).toBe("Offline model");
  });

  it("uses OpenAI (Responses API) with an API key", async () => {
    const e = { ...base, OPENAI_API_KEY: "sk-test" } as Env;
    const m = await getLanguageModel("small", e);
    expect(m.provider).toBe("openai");
    expect(m.model.provider).toMatch(/^openai\.responses/);
  });

  it("uses chat completions against an OpenAI-compatible base URL, with the tiers from env", async () => {
    const e = { ...base, OPENAI_BASE_URL: "http://localhost:11434/v1", MODEL_SMALL: "llama3.2:1b", MODEL_LARGE: "llama3.1:70b" } as Env;
    expect(providerKind(e)).toBe("openai-compatible");
    const small = await getLanguageModel("small", e);
    const large = await getLanguageModel("large", e);
    expect(small.model.provider).toMatch(/chat$/);
    expect([small.modelId, large.modelId]).toEqual(["llama3.2:1b", "llama3.1:70b"]);
  });

  it("one tier configured serves both", async () => {
    const e = { ...base, OPENAI_BASE_URL: "http://localhost:8000/v1", MODEL_LARGE: "qwen" } as Env;
    expect((await getLanguageModel("small", e)).modelId).toBe("qwen");
  });
});
