import { describe, expect, it } from "vitest";
import { tabulate } from "./table";

describe("tabulate", () => {
  it("evaluates each row exactly and adds a total", () => {
    const t = tabulate(
      [
        { label: "Rent", expression: "1200*12" },
        { label: "Travel | misc", expression: "15*1200/100" },
      ],
      { total: true, valueHeader: "EUR" },
    );
    expect(t.rows.map((r) => r.value)).toEqual([14400, 180]);
    expect(t.total).toBe(14580);
    expect(t.markdown).toBe("| Item | EUR |\n| --- | ---: |\n| Rent | 14400 |\n| Travel \\| misc | 180 |\n| **Total** | **14580** |");
  });

  it("a bad row says why, and there is no total then", () => {
    const t = tabulate([{ label: "x", expression: "2+" }, { label: "y", expression: "1" }], { total: true });
    expect(t.rows[0]!.error).toMatch(/expected a number/);
    expect(t.total).toBeUndefined();
    expect(t.markdown).toContain("| x | error: expected a number");
  });
});
