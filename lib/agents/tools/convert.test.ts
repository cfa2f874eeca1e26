import { describe, expect, it } from "vitest";
import { convert } from "./convert";

describe("convert", () => {
  it.each([
    [5, "km", "mi", 3.10685596119],
    [1, "mile", "meters", 1609.344],
    [100, "°C", "°F", 212],
    [32, "fahrenheit", "celsius", 0],
    [0, "c", "k", 273.15],
    [1, "lb", "g", 453.59237],
    [1, "GiB", "MB", 1073.741824],
    [90, "min", "h", 1.5],
    [100, "km/h", "mph", 62.1371192237],
  ])("%d %s → %s", (v, from, to, out) => {
    expect(convert(v, from, to)).toBe(out);
  });

  it("refuses mixed dimensions and unknown units with a reason", () => {
    expect(() => convert(1, "kg", "km")).toThrow(/cannot convert kg to km/);
    expect(() => convert(1, "c", "km")).toThrow(/cannot convert/);
    expect(() => convert(1, "parsec", "m")).toThrow(/cannot convert|unknown unit/);
    expect(() => convert(1, "smoot", "furlong")).toThrow(/unknown unit "smoot"/);
  });
});
