import { z } from "zod";

export const TeamNameBody = z.object({
  name: z
    .string()
    .trim()
    .min(1, "the name is empty")
    .max(80, "at most 80 characters")
    .regex(/^[^\p{Cc}]+$/u, "no control characters"),
});
export type TeamNameInput = z.input<typeof TeamNameBody>;
