import { z } from "zod";
import { getAgent, saveAgentVersion } from "@/lib/agents/versions";
import { readJsonBody } from "@/lib/http/body";
import { json, withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** 20,000 characters of instructions, each up to a 6-byte JSON escape, and the other fields. */
const MAX_BODY_BYTES = 160_000;

/** The agent's current version, a page of its history (newest first, `?cursor=` pages on) with diffs, the org's roles. */
export const GET = withPrincipal<Params>(
  async (req, principal, { params }) => {
    const q = new URL(req.url).searchParams;
    return json(await getAgent(principal, { id: params.id, cursor: q.get("cursor") }));
  },
  { permission: "agent.edit" },
);

/** Saves a new version: 200 with it, 409 stale_version, 422 naming the field. The use case validates the body. */
export const PUT = withPrincipal<Params>(
  async (req, principal, { params, requestId }) => {
    const body = await readJsonBody(req, z.unknown(), { maxBytes: MAX_BODY_BYTES });
    return json(await saveAgentVersion(principal, { id: params.id, body }, { requestId }));
  },
  { permission: "agent.edit" },
);
