import { authorize } from "@/lib/authz";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";

/**
 * Keys are managed only by a person signed in to the web app. A key acting through the API may
 * not create or revoke keys: a key minting keys could outlive its own revocation or widen its
 * scopes, so this is refused whatever the key's scopes say.
 */
export function authorizeKeyManagement(p: Principal): void {
  if (p.via !== "session") {
    throw new AppError(
      "forbidden",
      "API keys cannot manage API keys. Sign in to Enclave in the browser and use Settings → API keys.",
    );
  }
  authorize(p, "apikey.manage.own", undefined, { reveal: true });
}
