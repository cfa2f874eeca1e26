import { isUnstorableText } from "@/lib/http/text";

/** Whether an id from a URL could name a stored row at all (else: "not found", without asking the database). */
export function isPlausibleId(id: string): boolean {
  return id.length > 0 && id.length <= 128 && !isUnstorableText(id);
}
