/**
 * The designated scope of audit events that belong to no org: sign-in refusals of people Enclave
 * cannot place (an unknown email domain, no usable email). It is an Org row with no users,
 * domains or roles, created on first use, so its events form one more hash chain that is sealed,
 * checkpointed and verified like every org's (the chain code works per org and needs no special
 * case), and no org's admins or auditors can read it. `npm run audit:verify` covers it.
 */
export const SYSTEM_ORG = { id: "enclave-system", slug: "enclave-system", name: "Enclave (system events)" } as const;
