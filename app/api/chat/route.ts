import { UI_MESSAGE_STREAM_HEADERS } from "ai";
import { ChatRequestSchema } from "@/lib/chat/schema";
import { runChatTurn } from "@/lib/chat/turn";
import { env } from "@/lib/config/env";
import { readJsonBody } from "@/lib/http/body";
import { withPrincipal } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const POST = withPrincipal(
  async (req, principal, { requestId, clientRequestId, timing }) => {
    // Room for the message itself plus the JSON around it; the exact text limit is checked in the turn.
    const body = await timing.measure("body", () =>
      readJsonBody(req, ChatRequestSchema, { maxBytes: env().MAX_MESSAGE_BYTES * 2 + 16 * 1024 }),
    );
    const turn = await timing.measure("turn", () =>
      runChatTurn(principal, body, { requestId, clientRequestId, signal: req.signal, timing }),
    );
    // Until the model begins, a gateway refusal (no slot, every deployment cooling down) can
    // still be a 503/429 with Retry-After rather than a stream that only says it failed.
    await timing.measure("model", () => turn.opened());
    // The turn encodes its own SSE in one stream stage (see lib/chat/reply-stream.ts).
    return new Response(turn.sse(), {
      headers: {
        ...UI_MESSAGE_STREAM_HEADERS,
        // no-transform keeps Next's gzip off this stream: compressing SSE holds tokens back in the
        // compressor's buffer and costs CPU on every chunk.
        "cache-control": "no-cache, no-transform",
        "x-conversation-id": turn.conversationId,
        "x-request-id": requestId,
      },
    });
  },
  { permission: "chat.send", reveal: true },
);
