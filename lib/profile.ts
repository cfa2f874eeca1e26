import { db, type Profile } from "@/lib/db";
import { AppError } from "@/lib/errors/app-error";
import type { Principal } from "@/lib/principal";

export async function getMyProfile(p: Principal): Promise<Profile> {
  const profile = await db.for(p).profile.get();
  // The session resolved a moment ago, so a missing row means the account was just removed.
  if (!profile) throw AppError.unauthorized("Your account no longer exists.");
  return profile;
}
