import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readJsonBody } from "./body";

const Schema = z.object({ title: z.string().min(1) });

function req(body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) {
  return new Request("http://x/api", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readJsonBody", () => {
  it("parses a valid body", async () => {
    expect(await readJsonBody(req(JSON.stringify({ title: "ok" })), Schema, { maxBytes: 100 })).toEqual({ title: "ok" });
  });

  it("names the field that is wrong (422)", async () => {
    await expect(readJsonBody(req(JSON.stringify({ title: "" })), Schema, { maxBytes: 100 })).rejects.toMatchObject({
      status: 422,
      fields: [{ field: "title" }],
    });
  });

  it("rejects malformed JSON with 400 and the wrong media type with 415", async () => {
    await expect(readJsonBody(req("{nope"), Schema, { maxBytes: 100 })).rejects.toMatchObject({ status: 400 });
    await expect(readJsonBody(req("{}", { "content-type": "text/plain" }), Schema, { maxBytes: 100 })).rejects.toMatchObject({ status: 415 });
  });

  it("stops reading a body that is too large (413), also when it lies about its length", async () => {
    const big = JSON.stringify({ title: "x".repeat(1000) });
    await expect(readJsonBody(req(big), Schema, { maxBytes: 100 })).rejects.toMatchObject({ status: 413 });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new TextEncoder().encode("x".repeat(64)));
      },
    });
    await expect(readJsonBody(req(endless), Schema, { maxBytes: 1000 })).rejects.toMatchObject({ status: 413 });
    expect(pulled).toBeLessThan(40);
  });
});
