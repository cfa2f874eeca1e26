import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PERMISSION_IDS } from "@/lib/authz";
import type { Access } from "./route";

/**
 * Enforcement is declared at the entry point, so it can be checked mechanically: every route
 * handler and every server action in app/ must carry an access declaration (a permission from
 * the catalog, "signed-in", or an explicit public reason). A new file is checked without anyone
 * remembering to add it here.
 */
const root = process.cwd();
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) yield p;
  }
}

const all = [...files(join(root, "app"))];
const routeFiles = all.filter((f) => /[/\\]route\.ts$/.test(f));
const actionFiles = all.filter((f) => /^\s*["']use server["']/.test(readFileSync(f, "utf8")));

// Auth.js mounts its own endpoints; it is the sign-in machinery itself.
const EXEMPT = new Set(["app/api/auth/[...nextauth]/route.ts"]);

function checkAccess(where: string, value: unknown): string | null {
  const access = (value as { access?: Access }).access;
  if (!access) return `${where}: no access declaration (wrap it in withPrincipal/publicRoute or action/publicAction)`;
  if (access.kind === "public") return access.reason.length >= 10 ? null : `${where}: public without a reason`;
  if (access.permission === "signed-in") return null;
  const perms: readonly string[] = typeof access.permission === "string" ? [access.permission] : access.permission;
  if (perms.length === 0) return `${where}: an empty permission list`;
  const unknown = perms.filter((x) => !(PERMISSION_IDS as readonly string[]).includes(x));
  return unknown.length === 0 ? null : `${where}: unknown permission ${unknown.join(", ")}`;
}

describe("every entry point declares its access", () => {
  it("finds the route handlers and server actions", () => {
    expect(routeFiles.length).toBeGreaterThan(5);
    expect(actionFiles.length).toBeGreaterThan(1);
  });

  it("route handlers", { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    for (const f of routeFiles) {
      const rel = relative(root, f).split("\\").join("/");
      if (EXEMPT.has(rel)) continue;
      const mod = (await import(/* @vite-ignore */ f)) as Record<string, unknown>;
      const handlers = METHODS.filter((m) => typeof mod[m] === "function");
      if (handlers.length === 0) problems.push(`${rel}: exports no handler`);
      for (const m of handlers) {
        const p = checkAccess(`${m} ${rel}`, mod[m]);
        if (p) problems.push(p);
      }
    }
    expect(problems).toEqual([]);
  });

  it("server actions", { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    for (const f of actionFiles) {
      const rel = relative(root, f).split("\\").join("/");
      const mod = (await import(/* @vite-ignore */ f)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== "function") continue;
        const p = checkAccess(`${name} in ${rel}`, value);
        if (p) problems.push(p);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the check itself catches an undeclared handler", () => {
    expect(checkAccess("GET x", async () => new Response())).toMatch(/no access declaration/);
    expect(checkAccess("GET x", Object.assign(async () => {}, { access: { kind: "permission", permission: "nope" } }))).toMatch(
      /unknown permission/,
    );
  });
});
