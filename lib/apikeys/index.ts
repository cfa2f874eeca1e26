/** Personal API keys: create (shown once), list and revoke one's own, from a browser session only. */
export { authorizeKeyManagement } from "./access";
export { createApiKey } from "./create-api-key";
export { listApiKeys } from "./list-api-keys";
export { revokeApiKey } from "./revoke-api-key";
export { CreateApiKeySchema, type ApiKeyDto, type CreateApiKeyInput, type CreatedApiKeyDto } from "./schema";
