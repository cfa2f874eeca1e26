import { getDatabase } from "@/lib/db";
import { pingDatabase } from "@/lib/db/identity";
import { describeModels } from "@/lib/models/registry";
import pkg from "@/package.json" with { type: "json" };

export interface Health {
  status: "ok" | "degraded";
  database: "pglite" | "postgresql";
  version: string;
  model: { provider: string; label: string };
  /** The Node.js that runs this server (npm puts the project's pinned Node 24 first on the PATH). */
  runtime: { node: string };
}

export async function checkHealth(): Promise<{ health: Health; ok: boolean }> {
  const database = (await getDatabase()).kind;
  let ok = true;
  try {
    await pingDatabase();
  } catch {
    ok = false;
  }
  const m = describeModels();
  return {
    ok,
    health: {
      status: ok ? "ok" : "degraded",
      database,
      version: pkg.version,
      model: { provider: m.provider, label: m.label },
      runtime: { node: process.version },
    },
  };
}
