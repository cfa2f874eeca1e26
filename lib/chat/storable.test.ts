import { describe, expect, it } from "vitest";
import { storableString, storableValue } from "./storable";

describe("storable text", () => {
  it("drops NUL and replaces lone surrogates, keeping real emoji", () => {
    expect(storableString("a\u0000b")).toBe("ab");
    expect(storableString("x\uD800y")).toBe("x\uFFFDy");
    expect(storableString("end\uDC00")).toBe("end\uFFFD");
    expect(storableString("ok 😀")).toBe("ok 😀");
    expect(storableString("plain")).toBe("plain");
  });

  it("cleans every string inside a JSON value, keys included", () => {
    expect(storableValue({ "k\u0000": ["\uD83D", 1, { deep: "a\u0000" }], n: null })).toEqual({ k: ["\uFFFD", 1, { deep: "a" }], n: null });
  });
});
