import { db } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";
import { authorizeKeyManagement } from "./access";
import { toApiKeyDto } from "./dto";
import type { ApiKeyDto } from "./schema";

// cuid()s; anything else cannot name a key of mine, so it answers exactly like someone else's.
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Revokes one of my keys; it stops working on the next request. Idempotent: revoking a revoked
 * key changes nothing. Someone else's key (or no key) is not found, and stays as it was.
 */
export async function revokeApiKey(p: Principal, id: string, opts: { requestId?: string } = {}): Promise<ApiKeyDto> {
  authorizeKeyManagement(p);
  if (!KEY_ID.test(id)) throw AppError.notFound("API key");
  const key = await db.for(p).apiKeys.revoke(id, { requestId: opts.requestId });
  if (!key) throw AppError.notFound("API key");
  return toApiKeyDto(key);
}
