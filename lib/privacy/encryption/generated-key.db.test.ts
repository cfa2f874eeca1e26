import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliDatabase } from "@/lib/db/cli-testing";

/**
 * `npm ci && npm start` with nothing configured: the server's start-up generates a master key
 * into the data directory, warns that production must set its own, and starts again with it.
 */
const cli = cliDatabase("generated-key");

beforeAll(async () => {
  await cli.create();
}, 120_000);
afterAll(async () => {
  await cli.dispose();
});

describe(`a master key generated at first start (${cli.kind})`, () => {
  it("is written into the data directory with a warning, and opens the org keys at the next start", () => {
    const env = { ENCLAVE_MASTER_KEY: "", LOG_LEVEL: "warn" };
    const first = cli.run("lib/db/__fixtures__/start-app.ts", { env });
    expect(first.out).toMatch(/ENCLAVE_MASTER_KEY is not set: generated a master key in the data directory\. Production must set its own/);
    expect(first.out).toMatch(/Enclave ready/);
    expect(first.status).toBe(0);
    const file = join(cli.dataDir(), "master-key");
    expect(existsSync(file)).toBe(true);
    const key = readFileSync(file, "utf8");

    const second = cli.run("lib/db/__fixtures__/start-app.ts", { env });
    expect(second.out).toMatch(/Enclave ready/);
    expect(second.out).not.toMatch(/generated a master key/);
    expect(second.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(key);
  });
});
