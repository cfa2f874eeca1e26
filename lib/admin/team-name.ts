import { z } from "zod";
import { plainText } from "@/lib/http/text";

export const TeamNameBody = z.object({
  name: plainText()
    .trim()
    .min(1, "the name is empty")
    .max(80, "at most 80 characters")
    .regex(/^[^\p{Cc}]+$/u, "no control characters"),
});
export type TeamNameInput = z.input<typeof TeamNameBody>;
