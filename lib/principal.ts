/**
 * Who is acting. Built once per request from a verified session (or, later, an API key) and
 * passed explicitly to everything below the route: repositories scope their queries by it,
 * authorize() interprets its role, caches and limits are keyed by it.
 */
export interface Principal {
  readonly userId: string;
  readonly orgId: string;
  readonly role: string;
  readonly teamId: string | null;
  readonly sessionId: string;
  readonly email: string;
  readonly name: string;
}
