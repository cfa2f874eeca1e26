import { CALCULATION_INSTRUCTIONS } from "../defaults";
import { calculator } from "../tools/calculator";
import { convertUnits } from "../tools/convert";
import { table } from "../tools/table";
import type { Specialist } from "./types";

/** Exact arithmetic, percentages and unit conversions, through tools: never eval, never guessed. */
export const calculation: Specialist = {
  id: "calculation",
  description: "Exact arithmetic, percentages, unit conversions and small tables of figures.",
  defaultTier: "small",
  defaultTimeoutMs: 30_000,
  instructions: CALCULATION_INSTRUCTIONS,
  permission: "chat.send",
  maxSteps: 5,
  toolsFor: () => ({ calculator, convert: convertUnits, table }),
  // The quoted `expression: "…"` is what the calculator gets (the offline model reads it literally).
  prompt: (task, input) => (input ? `${task}\n\nUse the calculator tool with expression: "${input.replace(/"/g, "")}"` : task),
};
