import type { Permission } from "@/lib/authz/catalog";

/**
 * Who is acting. Built once per request from a verified session or API key and passed
 * explicitly to everything below the route: repositories scope their queries by it, authorize()
 * decides with it, caches and limits are keyed by it.
 */
export interface Principal {
  readonly userId: string;
  readonly orgId: string;
  readonly role: string;
  readonly teamId: string | null;
  readonly sessionId: string;
  readonly email: string;
  readonly name: string;
  /** Resolved by lib/authz from the role (and the API key's scopes). */
  readonly permissions: ReadonlySet<Permission>;
  /** Teams this person manages (membership is teamId). */
  readonly managedTeamIds: readonly string[];
  readonly via: "session" | "apikey";
  readonly apiKeyId?: string;
}
