"use client";

import { ArrowRight } from "lucide-react";
import type { EnclaveUIMessage } from "@/lib/chat/ui-messages";
import { Markdown } from "./markdown";
import { AgentTrace } from "./trace/agent-trace";
import { readTrace } from "./trace/trace-model";

function textOf(m: EnclaveUIMessage): string {
  return m.parts
    .filter((p): p is { type: "text"; text: string } => p.type === "text")
    .map((p) => p.text)
    .join("");
}

export type DisplayStatus = "complete" | "streaming" | "interrupted" | "error";

interface ToolPart {
  type: string;
  toolCallId: string;
  state?: string;
  input?: unknown;
  output?: unknown;
  errorText?: string;
}

function toolParts(m: EnclaveUIMessage): ToolPart[] {
  return m.parts.filter((p) => p.type.startsWith("tool-")) as unknown as ToolPart[];
}

function brief(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s && s.length > 160 ? `${s.slice(0, 157)}…` : (s ?? "");
}

const ARROW = "inline size-3 align-[-1px]";

/** What the assistant did on the way to its answer: one line per tool call. */
function ToolCalls({ parts }: { parts: ToolPart[] }) {
  if (parts.length === 0) return null;
  return (
    <ul className="space-y-1" aria-label="Tools used">
      {parts.map((t) => (
        <li key={t.toolCallId} className="rounded-md border border-neutral-200 px-2 py-1 font-mono text-xs text-neutral-600 dark:border-neutral-800 dark:text-neutral-400" data-testid="tool-call">
          <span className="font-semibold">{t.type.slice("tool-".length)}</span> {brief(t.input)}
          {t.state === "output-available" ? (
            <>
              {" "}
              <ArrowRight className={ARROW} role="img" aria-label="returned" /> {brief(t.output)}
            </>
          ) : t.state === "output-error" ? (
            <>
              {" "}
              <ArrowRight className={ARROW} /> failed: {t.errorText}
            </>
          ) : (
            <> …</>
          )}
        </li>
      ))}
    </ul>
  );
}

export function MessageItem({
  message,
  status,
  onRetry,
}: {
  message: EnclaveUIMessage;
  status: DisplayStatus;
  onRetry?: () => void;
}) {
  const text = textOf(message);
  if (message.role === "user") {
    return (
      <div className="flex justify-end" data-testid="message" data-role="user">
        <div className="max-w-[85%] rounded-2xl bg-neutral-100 px-4 py-2.5 whitespace-pre-wrap break-words dark:bg-neutral-800">{text}</div>
      </div>
    );
  }
  const meta = message.metadata;
  const trace = readTrace(message.parts);
  return (
    <div className="flex flex-col gap-1.5" data-testid="message" data-role="assistant" data-status={status}>
      {trace && <AgentTrace view={trace} live={status === "streaming"} />}
      <ToolCalls parts={toolParts(message)} />
      {text ? (
        <Markdown text={text} />
      ) : status === "streaming" ? (
        <TypingDots />
      ) : null}
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted">
        {meta?.model &&
          (meta.fallback ? (
            <span data-testid="answered-by" title="The first-choice model deployment failed; another one answered instead.">
              answered by {meta.model} (fallback)
            </span>
          ) : (
            <span>{meta.model}</span>
          ))}
        {status === "interrupted" && (
          <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            Interrupted
          </span>
        )}
        {status === "error" && (
          <span className="rounded bg-red-100 px-1.5 py-0.5 font-medium text-red-900 dark:bg-red-950 dark:text-red-200">Failed</span>
        )}
        {(status === "interrupted" || status === "error") && meta?.error && <span>{meta.error}</span>}
        {onRetry && (
          <button type="button" onClick={onRetry} className="font-medium text-neutral-700 underline underline-offset-2 dark:text-neutral-300">
            Retry
          </button>
        )}
      </div>
    </div>
  );
}

export function TypingDots() {
  return (
    <span role="status" aria-label="Assistant is replying" className="inline-flex gap-1 py-2">
      {[0, 150, 300].map((d) => (
        <span key={d} className="size-1.5 animate-bounce rounded-full bg-neutral-400" style={{ animationDelay: `${d}ms` }} />
      ))}
    </span>
  );
}
