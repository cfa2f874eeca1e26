import type { z } from "zod";
import { AppError } from "@/lib/errors/app-error";

/**
 * Reads and validates a JSON body without ever holding more than `maxBytes` of it: a client
 * cannot make us buffer an arbitrarily large upload just to reject it afterwards.
 */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S, opts: { maxBytes: number }): Promise<z.infer<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes) throw tooLarge(opts.maxBytes);
  let raw = "";
  if (req.body) {
    const reader = req.body.getReader();
    const decoder = new TextDecoder();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > opts.maxBytes) {
        await reader.cancel();
        throw tooLarge(opts.maxBytes);
      }
      raw += decoder.decode(value, { stream: true });
    }
    raw += decoder.decode();
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw AppError.fromZod(parsed.error);
  return parsed.data;
}

function tooLarge(max: number): AppError {
  return new AppError("payload_too_large", `The request body is larger than ${Math.floor(max / 1024)} KB.`);
}
