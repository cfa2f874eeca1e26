import { generateApiKey } from "@/lib/auth/api-key-format";
import { assertMayGrantScopes } from "@/lib/authz";
import { db } from "@/lib/db";
import type { Principal } from "@/lib/principal";
import { authorizeKeyManagement } from "./access";
import { CreateApiKeySchema, type CreateApiKeyInput, type CreatedApiKeyDto } from "./schema";
import { AppError } from "@/lib/errors/app-error";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a personal API key for the signed-in person. The full key is in this answer and
 * nowhere else: only its SHA-256 is stored, so it can never be shown again.
 */
export async function createApiKey(
  p: Principal,
  input: CreateApiKeyInput,
  opts: { requestId?: string; now?: Date } = {},
): Promise<CreatedApiKeyDto> {
  authorizeKeyManagement(p);
  const parsed = CreateApiKeySchema.safeParse(input);
  if (!parsed.success) throw AppError.fromZod(parsed.error);
  const { name, scopes, expiresInDays } = parsed.data;
  // A key acts with the intersection of its scopes and its owner's role: a scope the role cannot
  // back is refused here rather than stored as a permission the key seems to have.
  assertMayGrantScopes(p, scopes);
  const now = opts.now ?? new Date();
  const expiresAt = expiresInDays ? new Date(now.getTime() + expiresInDays * DAY_MS) : null;

  let key = "";
  const row = await db.for(p).apiKeys.create(
    { name, scopes, expiresAt },
    () => {
      const generated = generateApiKey();
      key = generated.key;
      return { prefix: generated.prefix, hash: generated.hash };
    },
    { requestId: opts.requestId },
  );
  return {
    id: row.id,
    key,
    prefix: row.prefix,
    name: row.name,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}
