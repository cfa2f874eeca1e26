import type { ApiKeySummary } from "@/lib/db/repositories/api-keys";
import type { ApiKeyDto } from "./schema";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toApiKeyDto(k: ApiKeySummary): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
  };
}
