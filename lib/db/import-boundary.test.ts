import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

// Isolation is structural only if nothing but lib/db can reach the raw client. This walks the
// whole source tree, so a new file anywhere is checked without anyone remembering to add it.
const root = process.cwd();
const SKIP = new Set(["node_modules", ".next", ".git", ".data", ".tmp", "test-results", "playwright-report"]);
const CLIENT_IMPORT =
  /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']*(?:@prisma\/client|@prisma\/adapter-pg|pglite-prisma-adapter|\/generated\/client|db\/generated|db\/client|db\/database)[^"']*)["']/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".next")) continue; // build output, incl. NEXT_DIST_DIR builds
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|tsx|js|mjs|cjs|jsx)$/.test(name)) yield p;
  }
}

function isAllowed(file: string): boolean {
  const rel = relative(root, file).split(sep).join("/");
  // lib/db itself; operator tooling (migrate/seed scripts, benchmarks that prepare a database).
  return (
    rel.startsWith("lib/db/") ||
    rel.startsWith("scripts/") ||
    rel.startsWith("bench/") ||
    rel === "prisma.config.ts" ||
    rel === "next.config.js"
  );
}

function findViolations(files: Iterable<string>, read: (f: string) => string): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (isAllowed(f)) continue;
    for (const m of read(f).matchAll(CLIENT_IMPORT)) out.push(`${relative(root, f)} imports ${m[1]}`);
  }
  return out;
}

describe("import boundary: only lib/db touches the Prisma client", () => {
  it("no file outside lib/db imports the Prisma client, its adapters or the db internals", () => {
    expect(findViolations(sourceFiles(root), (f) => readFileSync(f, "utf8"))).toEqual([]);
  });

  it("the check catches each way of importing it", () => {
    const fake: Record<string, string> = {
      [join(root, "app/a.ts")]: `import { PrismaClient } from "@prisma/client";`,
      [join(root, "lib/chat/b.ts")]: `const { PrismaClient } = await import("../db/generated/client");`,
      [join(root, "components/c.tsx")]: `import { getPrisma } from "@/lib/db/database";`,
      [join(root, "lib/x/d.ts")]: `import "@/lib/db/client";`,
      [join(root, "lib/db/ok.ts")]: `import { PrismaClient } from "./generated/client";`,
      [join(root, "lib/chat/ok.ts")]: `import { db } from "@/lib/db";`,
    };
    const v = findViolations(Object.keys(fake), (f) => fake[f]!);
    expect(v).toHaveLength(4);
    expect(v.join("\n")).not.toContain("ok.ts");
  });
});
