import { tool } from "ai";
import { z } from "zod";

/** Units by dimension, as factors to the dimension's base unit (temperature is affine, below). */
const FACTORS: Record<string, Record<string, number>> = {
  length: { mm: 0.001, cm: 0.01, m: 1, km: 1000, in: 0.0254, ft: 0.3048, yd: 0.9144, mi: 1609.344, nmi: 1852 },
  mass: { mg: 1e-6, g: 0.001, kg: 1, t: 1000, oz: 0.028349523125, lb: 0.45359237 },
  volume: { ml: 0.001, l: 1, m3: 1000, "fl oz": 0.0295735295625, cup: 0.2365882365, pt: 0.473176473, qt: 0.946352946, gal: 3.785411784 },
  time: { ms: 0.001, s: 1, min: 60, h: 3600, day: 86400, week: 604800 },
  data: { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 },
  speed: { "m/s": 1, "km/h": 1 / 3.6, mph: 0.44704, kn: 1852 / 3600 },
};
const TEMPERATURE = new Set(["c", "f", "k"]);

const ALIASES: Record<string, string> = {
  meter: "m", meters: "m", metre: "m", metres: "m", kilometer: "km", kilometers: "km", kilometre: "km", kilometres: "km",
  centimeter: "cm", centimeters: "cm", millimeter: "mm", millimeters: "mm", inch: "in", inches: "in", foot: "ft", feet: "ft",
  yard: "yd", yards: "yd", mile: "mi", miles: "mi", gram: "g", grams: "g", kilogram: "kg", kilograms: "kg", kgs: "kg",
  pound: "lb", pounds: "lb", lbs: "lb", ounce: "oz", ounces: "oz", tonne: "t", tonnes: "t", liter: "l", liters: "l",
  litre: "l", litres: "l", milliliter: "ml", milliliters: "ml", gallon: "gal", gallons: "gal", second: "s", seconds: "s",
  sec: "s", minute: "min", minutes: "min", hour: "h", hours: "h", hr: "h", days: "day", weeks: "week",
  celsius: "c", "°c": "c", fahrenheit: "f", "°f": "f", kelvin: "k", kph: "km/h", knots: "kn",
};

function unit(u: string): string {
  const k = u.trim().toLowerCase();
  return ALIASES[k] ?? k;
}

function toKelvin(v: number, u: string): number {
  return u === "c" ? v + 273.15 : u === "f" ? ((v - 32) * 5) / 9 + 273.15 : v;
}
function fromKelvin(v: number, u: string): number {
  return u === "c" ? v - 273.15 : u === "f" ? ((v - 273.15) * 9) / 5 + 32 : v;
}

/** Converts between units of one dimension; throws with a readable reason otherwise. */
export function convert(value: number, fromUnit: string, toUnit: string): number {
  const from = unit(fromUnit);
  const to = unit(toUnit);
  if (!Number.isFinite(value)) throw new Error("the value is not a finite number");
  if (TEMPERATURE.has(from) || TEMPERATURE.has(to)) {
    if (!TEMPERATURE.has(from) || !TEMPERATURE.has(to)) throw new Error(`cannot convert ${fromUnit} to ${toUnit}`);
    return round(fromKelvin(toKelvin(value, from), to));
  }
  for (const [dimension, table] of Object.entries(FACTORS)) {
    if (from in table || to in table) {
      if (!(from in table) || !(to in table)) throw new Error(`cannot convert ${fromUnit} to ${toUnit} (${dimension} and another dimension, or an unknown unit)`);
      return round((value * table[from]!) / table[to]!);
    }
  }
  throw new Error(`unknown unit "${fromUnit}"`);
}

/** 12 significant digits: hides binary noise (0.30000000000000004) without losing real precision. */
function round(v: number): number {
  return Number(v.toPrecision(12));
}

export const convertUnits = tool({
  description: "Convert a value between units of length, mass, volume, time, data size, speed or temperature, e.g. 5 km to mi.",
  inputSchema: z.object({
    value: z.number().describe("The number to convert"),
    from: z.string().min(1).max(16).describe("Unit of the value, e.g. km, lb, °F, GiB"),
    to: z.string().min(1).max(16).describe("Unit to convert to"),
  }),
  execute: async ({ value, from, to }) => {
    try {
      return { expression: `${value} ${from} → ${to}`, result: convert(value, from, to), unit: to };
    } catch (e) {
      return { expression: `${value} ${from} → ${to}`, error: (e as Error).message };
    }
  },
});
