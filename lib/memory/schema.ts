import { z } from "zod";
import { plainText } from "@/lib/http/text";

export const MEMORY_TEXT_MAX = 2000;

/** What a memory says: 1 to 2,000 characters once trimmed, storable text. */
export const MemoryText = plainText({ error: "write the memory as text" })
  .trim()
  .min(1, "write what to remember (it cannot be empty)")
  .max(MEMORY_TEXT_MAX, `a memory is at most ${MEMORY_TEXT_MAX.toLocaleString("en")} characters`);

/** POST /api/me/memories */
export const AddMemorySchema = z.object({ text: MemoryText }).strict();
export type AddMemoryInput = z.input<typeof AddMemorySchema>;

/** PATCH /api/me/memories/:id: new text, and/or accept a proposed memory (status "active"). */
export const EditMemorySchema = z
  .object({
    text: MemoryText.optional(),
    status: z.literal("active", { error: 'status can only be set to "active" (to accept a proposed memory)' }).optional(),
  })
  .strict()
  .refine((v) => v.text !== undefined || v.status !== undefined, { message: "send text, status, or both", path: ["text"] });
export type EditMemoryInput = z.input<typeof EditMemorySchema>;

/** GET /api/me/memories?q=&status=&limit=&cursor= */
export const ListMemoriesSchema = z.object({
  q: plainText().trim().max(200, "at most 200 characters").optional(),
  status: z.enum(["active", "proposed"], { error: 'status is "active" or "proposed"' }).optional(),
  limit: z.coerce.number({ error: "a whole number" }).int("a whole number").min(1, "at least 1").max(100, "at most 100").default(50),
  cursor: z.string().max(500).optional(),
});
export type ListMemoriesInput = z.input<typeof ListMemoriesSchema>;

export const TONES = ["neutral", "friendly", "concise", "formal"] as const;

/** PUT /api/me/preferences: any subset; what is left out keeps its value. */
export const PreferencesSchema = z
  .object({
    memoryEnabled: z.boolean({ error: "true or false" }).optional(),
    memorySaveMode: z.enum(["explicit", "automatic"], { error: 'memorySaveMode is "explicit" or "automatic"' }).optional(),
    language: plainText({ error: "a language name, or null" }).trim().max(40, "at most 40 characters").nullable().optional(),
    tone: z.enum(TONES, { error: `tone is one of: ${TONES.join(", ")} (or null)` }).nullable().optional(),
    defaultTier: z.enum(["small", "large"], { error: 'defaultTier is "small" or "large"' }).optional(),
  })
  .strict();
export type PreferencesInput = z.input<typeof PreferencesSchema>;

/** A memory as the API shows it to its owner. */
export interface MemoryDto {
  id: string;
  text: string;
  sourceConversationId: string | null;
  origin: "user" | "agent";
  status: "active" | "proposed";
  createdAt: string;
  updatedAt: string;
}

export interface PreferencesDto {
  memoryEnabled: boolean;
  memorySaveMode: "explicit" | "automatic";
  language: string | null;
  tone: (typeof TONES)[number] | null;
  defaultTier: "small" | "large";
}
