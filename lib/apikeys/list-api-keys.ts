import { db } from "@/lib/db";
import type { Principal } from "@/lib/principal";
import { authorizeKeyManagement } from "./access";
import { toApiKeyDto } from "./dto";
import type { ApiKeyDto } from "./schema";

/** My keys, newest first, revoked ones included and marked. Never a hash or a key. */
export async function listApiKeys(p: Principal): Promise<ApiKeyDto[]> {
  authorizeKeyManagement(p);
  return (await db.for(p).apiKeys.list()).map(toApiKeyDto);
}
