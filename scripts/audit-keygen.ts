/**
 * npm run audit:keygen
 * Prints a new Ed25519 key pair for signing audit checkpoints, as environment lines. Keep the
 * private key secret (the same on every instance); give the public key to whoever checks the
 * exported checkpoints outside Enclave.
 */
import { generateSigningKeyPair } from "@/lib/audit/checkpoints";

const { privateKeyPem, publicKeyPem, keyId } = generateSigningKeyPair();
const oneLine = (pem: string) => JSON.stringify(pem.trim() + "\n").slice(1, -1);
console.log(`# Ed25519 audit checkpoint key pair, key id ${keyId}. Put these in Enclave's environment;`);
console.log(`# keep the private key secret. Checkpoints then verify with the public key anywhere.`);
console.log(`AUDIT_SIGNING_PRIVATE_KEY="${oneLine(privateKeyPem)}"`);
console.log(`AUDIT_SIGNING_PUBLIC_KEY="${oneLine(publicKeyPem)}"`);
