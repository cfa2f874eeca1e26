"use server";

import { z } from "zod";
import { signOut } from "@/lib/auth/auth";
import { action } from "@/lib/http/action";

export const signOutAction = action({ permission: "signed-in", input: z.object({}) }, async () => {
  await signOut({ redirectTo: "/signin" });
});
