import type { SpecialistId } from "../types";
import { calculation } from "./calculation";
import { research } from "./research";
import type { Specialist } from "./types";
import { writing } from "./writing";

/** The specialists, one file each. Adding one: a file here, its id in lib/agents/types.ts, its defaults. */
export const SPECIALISTS: Record<SpecialistId, Specialist> = { research, calculation, writing };

export type { Specialist, SpecialistToolContext } from "./types";
export { SpecialistOutput } from "./types";
