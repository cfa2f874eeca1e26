import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { describeModels, getLanguageModel, providerKind } from "./registry";

const base = { OFFLINE_MODEL_DELAY_MS: "0" };

describe("model registry", () => {
  it("uses the offline model when nothing is configured, labelled as such", async () => {
    const e = parseEnv(base);
    const m = await getLanguageModel("large", {}, e);
    expect(m).toMatchObject({ provider: "offline", label: "Offline model", modelId: "offline-large" });
    expect(m.model.specificationVersion).toBe("v4");
    expect(describeModels(e).label).toBe("Offline model");
  });

  it("uses OpenAI (Responses API) with an API key", async () => {
    const m = await getLanguageModel("small", {}, parseEnv({ ...base, OPENAI_API_KEY: "sk-test" }));
    expect(m.provider).toBe("openai");
    expect(m.model.provider).toMatch(/^openai\.responses/);
  });

  it("uses chat completions against an OpenAI-compatible base URL, with the tiers from env", async () => {
    const e = parseEnv({ ...base, OPENAI_BASE_URL: "http://localhost:11434/v1", MODEL_SMALL: "llama3.2:1b", MODEL_LARGE: "llama3.1:70b" });
    expect(providerKind(e)).toBe("openai-compatible");
    const small = await getLanguageModel("small", {}, e);
    const large = await getLanguageModel("large", {}, e);
    expect(small.model.provider).toMatch(/chat$/);
    expect([small.modelId, large.modelId]).toEqual(["llama3.2:1b", "llama3.1:70b"]);
  });

  it("one tier configured serves both", async () => {
    const e = parseEnv({ ...base, OPENAI_BASE_URL: "http://localhost:8000/v1", MODEL_LARGE: "qwen" });
    expect((await getLanguageModel("small", {}, e)).modelId).toBe("qwen");
  });
});
