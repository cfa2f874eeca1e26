import { z } from "zod";
import { plainText } from "@/lib/http/text";
import { API_KEY_SCOPE_IDS, type ApiKeyScope } from "@/lib/authz";

/** The body of POST /api/keys. */
export const CreateApiKeySchema = z.object({
  name: plainText().trim().min(1, "give the key a name").max(100, "at most 100 characters"),
  scopes: z
    .array(z.enum(API_KEY_SCOPE_IDS as [ApiKeyScope, ...ApiKeyScope[]], { error: `use one of: ${API_KEY_SCOPE_IDS.join(", ")}` }))
    .min(1, "choose at least one scope")
    .max(API_KEY_SCOPE_IDS.length * 2)
    // Stored in the catalog's order, once each.
    .transform((s) => API_KEY_SCOPE_IDS.filter((id) => s.includes(id))),
  expiresInDays: z
    .number({ error: "a whole number of days" })
    .int("a whole number of days")
    .min(1, "at least 1 day")
    .max(365, "at most 365 days")
    .nullish(),
});

export type CreateApiKeyInput = z.input<typeof CreateApiKeySchema>;

/** A key as the API shows it to its owner. Dates are ISO strings; there is no hash and no key. */
export interface ApiKeyDto {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The answer to a create: the only time the full key is ever shown. */
export interface CreatedApiKeyDto {
  id: string;
  key: string;
  prefix: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
}
