import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Access } from "./route";

/**
 * Every route handler under app/api (Auth.js's own endpoints aside), loaded for tests that
 * enumerate the HTTP surface, so a new route is covered without anyone adding it.
 */
export const API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export interface ApiRoute {
  /** `METHOD /api/...` with the folder's [params]. */
  key: string;
  path: string;
  method: (typeof API_METHODS)[number];
  handler: ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { access: Access };
}

function* routeFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* routeFiles(p);
    else if (name === "route.ts") yield p;
  }
}

export async function loadApiRoutes(root = process.cwd()): Promise<ApiRoute[]> {
  const out: ApiRoute[] = [];
  for (const f of routeFiles(join(root, "app", "api"))) {
    const path = "/" + relative(join(root, "app"), f).split("\\").join("/").replace(/\/route\.ts$/, "");
    if (path.startsWith("/api/auth/")) continue;
    const mod = (await import(/* @vite-ignore */ f)) as Record<string, unknown>;
    for (const m of API_METHODS) {
      if (typeof mod[m] === "function") out.push({ key: `${m} ${path}`, path, method: m, handler: mod[m] as ApiRoute["handler"] });
    }
  }
  return out;
}
