import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";

// Its own file so that @ai-sdk/openai is not yet loaded when the test starts: the package builds
// a default provider from process.env on first import, which throws on an empty base URL.
describe("empty provider variables", () => {
  it("an empty OPENAI_BASE_URL means unset and does not break loading the provider", async () => {
    process.env.OPENAI_BASE_URL = "";
    const { getLanguageModel } = await import("./registry");
    const e = parseEnv({ OPENAI_API_KEY: "sk-test" });
    expect((await getLanguageModel("large", {}, e)).provider).toBe("openai");
  });
});
