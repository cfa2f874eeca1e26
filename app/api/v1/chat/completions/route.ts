import { z } from "zod";
import { env } from "@/lib/config/env";
import { readJsonBody } from "@/lib/http/body";
import { withPrincipal } from "@/lib/http/route";
import { CONVERSATION_HEADER, createChatCompletion, MAX_COMPLETION_BODY_BYTES } from "@/lib/openai-compat";

export const dynamic = "force-dynamic";

// `reveal`: a read-only key is told it may not chat (403), not that the endpoint is missing.
export const POST = withPrincipal(
  async (req, principal, { requestId, clientRequestId, timing }) => {
    const maxBytes = Math.max(MAX_COMPLETION_BODY_BYTES, env().MAX_MESSAGE_BYTES * 4);
    const body = await timing.measure("body", () => readJsonBody(req, z.unknown(), { maxBytes }));
    return timing.measure("turn", () =>
      createChatCompletion(principal, body, {
        requestId,
        clientRequestId,
        conversationHeader: req.headers.get(CONVERSATION_HEADER),
        signal: req.signal,
        timing,
      }),
    );
  },
  { permission: "chat.send", reveal: true, errors: "openai" },
);
