import { Resolver } from "node:dns/promises";

/**
 * Proving that an org owns an email domain: the domain publishes a DNS TXT record
 * `enclave-domain-verification=<the org's token>`. Until then an admin's claim provisions nobody
 * (anyone can type any domain into a form).
 */
export const TXT_PREFIX = "enclave-domain-verification=";

/** node:dns's resolveTxt shape: each record is a list of chunks (long values are split). */
export type TxtResolver = (domain: string) => Promise<string[][]>;

export function verificationRecord(token: string): string {
  return `${TXT_PREFIX}${token}`;
}

const defaultResolver: TxtResolver = (domain) => {
  const r = new Resolver({ timeout: 3_000, tries: 2 });
  return r.resolveTxt(domain);
};

/** Which of these domains carry this org's record (lookup failures count as not proven). */
export async function provenDomains(domains: readonly string[], token: string, resolve: TxtResolver = defaultResolver): Promise<Set<string>> {
  const record = verificationRecord(token);
  const results = await Promise.all(
    domains.map(async (d) => {
      try {
        const records = await resolve(d);
        return records.some((chunks) => chunks.join("").trim() === record) ? d : null;
      } catch {
        return null;
      }
    }),
  );
  return new Set(results.filter((d): d is string => d !== null));
}
