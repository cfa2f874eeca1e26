import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";

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

// Layers: lib/db and lib/observability sit below lib/audit (audit stores through lib/db and
// reports through observability), so neither may import it; what they share with it (event
// types, redaction, the canonical form) lives in lib/audit-record, below all three.
const LOWER_LAYERS = ["lib/db/", "lib/observability/"];
const ANY_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g;

/** The repository path an import points at (relative ones resolved from the importing file). */
function target(fromRel: string, spec: string): string {
  if (spec.startsWith("@/")) return spec.slice(2);
  if (spec.startsWith(".")) return posix.normalize(posix.join(posix.dirname(fromRel), spec));
  return spec;
}

function layerViolations(files: Iterable<string>, read: (f: string) => string): string[] {
  const out: string[] = [];
  for (const f of files) {
    const rel = relative(root, f).split(sep).join("/");
    if (!LOWER_LAYERS.some((l) => rel.startsWith(l))) continue;
    // Tests may drive the whole stack (an end-to-end metrics scrape installs the audit sink).
    if (/\.test\.tsx?$/.test(rel)) continue;
    for (const m of read(f).matchAll(ANY_IMPORT)) {
      const t = target(rel, m[1]!);
      if (t === "lib/audit" || t.startsWith("lib/audit/")) out.push(`${rel} imports ${m[1]}`);
    }
  }
  return out;
}

describe("import boundary: lib/db and lib/observability import nothing from lib/audit", () => {
  it("no module of lib/db or lib/observability imports lib/audit", () => {
    expect(layerViolations(sourceFiles(root), (f) => readFileSync(f, "utf8"))).toEqual([]);
  });

  it("the check catches each way of importing it, and lets lib/audit-record through", () => {
    const fake: Record<string, string> = {
      [join(root, "lib/db/a.ts")]: `import { AuditEventInput } from "@/lib/audit/events";`,
      [join(root, "lib/db/repositories/b.ts")]: `import { x } from "../../audit/seal";`,
      [join(root, "lib/observability/c.ts")]: `const m = await import("@/lib/audit/step-writer");`,
      [join(root, "lib/observability/d.ts")]: `import "@/lib/audit";`,
      [join(root, "lib/db/ok.ts")]: `import { AuditEventInput } from "@/lib/audit-record/events";`,
      [join(root, "lib/db/repositories/ok2.ts")]: `import { actorOf } from "../audit";`,
      [join(root, "lib/chat/ok.ts")]: `import { flushAuditSteps } from "@/lib/audit/step-writer";`,
    };
    const v = layerViolations(Object.keys(fake), (f) => fake[f]!);
    expect(v).toHaveLength(4);
    expect(v.join("\n")).not.toContain("ok");
  });
});
