"use client";

import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport } from "ai";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import type { EnclaveUIMessage } from "@/lib/chat/ui-messages";
import { fetchKeepingRetryAfter, mayHaveStored, parseApiError, waitSentence, withoutStaticWait, type ApiErrorInfo } from "./api-error";
import { useHydrated } from "@/components/ui/use-hydrated";
import { BudgetBanner, latestBudgetWarning } from "./budget-banner";
import { Composer } from "./composer";
import { notifyConversationsChanged } from "./events";
import { MessageItem, TypingDots, type DisplayStatus } from "./message-item";
import { useCooldown } from "./use-cooldown";

const SUGGESTIONS = [
  "Summarize the key points of a document I paste",
  "Draft a polite follow-up email to a customer",
  "Write a function that validates an email address",
];

export function ChatView({
  id,
  initialMessages,
  isNew,
  modelLabel,
  maxMessageBytes,
}: {
  id: string;
  initialMessages: EnclaveUIMessage[];
  isNew: boolean;
  modelLabel: string;
  maxMessageBytes: number;
}) {
  const hydrated = useHydrated();
  const [input, setInput] = useState("");
  const [notice, setNotice] = useState<ApiErrorInfo | null>(null);
  // Whether the refused message turned out to be stored (a gateway refusal): "Try again", not "send again".
  const [noticeStored, setNoticeStored] = useState(false);
  const cooldown = useCooldown();
  const announced = useRef(!isNew);
  // The message of the latest fresh send (not of a retry, whose message was stored before).
  const lastSent = useRef<{ id: string; text: string } | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const transport = useMemo(
    () =>
      new DefaultChatTransport<EnclaveUIMessage>({
        api: "/api/chat",
        // Keeps the Retry-After of a refusal, which the countdown needs.
        fetch: fetchKeepingRetryAfter,
        // The server loads history itself; only the new (or retried) message travels.
        prepareSendMessagesRequest: ({ id: conversationId, messages, trigger }) => ({
          body: { id: conversationId, message: messages[messages.length - 1], trigger },
        }),
      }),
    [],
  );

  const { messages, sendMessage, status, stop, regenerate, error, clearError, setMessages } = useChat<EnclaveUIMessage>({
    id,
    messages: initialMessages,
    transport,
    // Re-render (and re-parse the reply's Markdown) at most every 50 ms, however fast frames
    // arrive: a long reply stays smooth without a render per frame.
    throttle: 50,
    // Also called when the request failed: a rejected message (413, 401, …) stored nothing, so
    // there is no conversation to point the URL at; a stream that failed after it started is
    // announced by the error effect below.
    onFinish: ({ isError }) => {
      if (!isError) announce();
    },
  });

  // Once the server has the conversation, give it its own URL and show it in the sidebar.
  function announce() {
    if (!announced.current) {
      announced.current = true;
      window.history.replaceState(null, "", `/chat/${id}`);
    }
    notifyConversationsChanged();
  }

  useEffect(() => {
    if (status === "streaming" && !announced.current) announce();
  });

  // A request the server refused with a JSON error. Refused at admission (too large, invalid,
  // signed out, over a rate limit or budget) it stored nothing: the message goes back into the
  // composer and no phantom stays in the list. Refused at the turn's first model call (the
  // gateway, a token limit, the budget: 429/503 once the message was stored) it keeps the
  // message, with its failed reply and a Retry. The body cannot tell those 429/503s apart, so
  // the server is asked what it kept (mayHaveStored). A failure mid-stream did store the
  // message, so it stays, with a retry.
  const rejected = error ? parseApiError(error) : null;
  function refused(info: ApiErrorInfo, sent: { id: string; text: string } | null) {
    setNotice(info);
    setNoticeStored(false);
    if (info.retryAfterSeconds) cooldown.start(info.retryAfterSeconds);
    const takeBack = () => {
      if (!sent) return;
      setMessages((ms) => ms.filter((m) => m.id !== sent.id));
      setInput((cur) => cur || sent.text);
    };
    if (sent && !mayHaveStored(info)) {
      takeBack();
      return;
    }
    void storedMessages(id).then((stored) => {
      if (stored && (!sent || stored.some((m) => m.id === sent.id))) {
        setMessages(stored);
        setNoticeStored(true);
        announce();
      } else takeBack();
    });
  }

  useEffect(() => {
    if (!error || !rejected?.code) return;
    clearError();
    refused(rejected, lastSent.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [error]);

  useEffect(() => {
    if (error && !rejected?.code) announce();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [error]);

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
  }, [messages, status]);

  const busy = status === "submitted" || status === "streaming";
  const waiting = cooldown.secondsLeft > 0;

  function submit(text = input) {
    const trimmed = text.trim();
    if (!trimmed || busy || waiting) return;
    setNotice(null);
    cooldown.reset();
    const messageId = crypto.randomUUID();
    lastSent.current = { id: messageId, text };
    setInput("");
    void sendMessage({ id: messageId, role: "user", parts: [{ type: "text", text: trimmed }] });
  }

  function retry() {
    if (waiting) return;
    setNotice(null);
    cooldown.reset();
    lastSent.current = null; // the message being retried is stored already
    clearError();
    void regenerate();
  }

  function statusOf(m: EnclaveUIMessage, i: number): DisplayStatus {
    const isLast = i === messages.length - 1;
    if (isLast && m.role === "assistant") {
      if (status === "streaming") return "streaming";
      if (status === "error") return m.metadata?.status === "complete" ? "complete" : "interrupted";
    }
    const s = m.metadata?.status;
    // A reply that started but never finished in this tab was stopped or cut off.
    if (s === "streaming") return isLast && busy ? "streaming" : "interrupted";
    return s ?? "complete";
  }

  const last = messages[messages.length - 1];
  const lastStatus = last ? statusOf(last, messages.length - 1) : null;
  const canRetryLast = !busy && !waiting && last?.role === "assistant" && (lastStatus === "interrupted" || lastStatus === "error");
  const streamFailure = error && !rejected?.code ? rejected : null;

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex-1 overflow-y-auto" aria-live="polite">
        <div className="mx-auto flex max-w-3xl flex-col gap-6 px-4 py-6">
          {messages.length === 0 && !busy ? (
            <EmptyState modelLabel={modelLabel} onPick={(s) => setInput(s)} disabled={!hydrated} />
          ) : (
            messages.map((m, i) => (
              <MessageItem
                key={m.id}
                message={m}
                status={statusOf(m, i)}
                onRetry={canRetryLast && i === messages.length - 1 ? retry : undefined}
              />
            ))
          )}
          {status === "submitted" && last?.role === "user" && <TypingDots />}
          {streamFailure && (
            <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
              <span className="flex-1">{streamFailure.message}</span>
              {!canRetryLast && (
                <button type="button" onClick={retry} className="rounded-md border border-red-400 px-3 py-1 font-medium">
                  Retry
                </button>
              )}
            </div>
          )}
          <div ref={bottom} />
        </div>
      </div>
      <div className="border-t border-neutral-200 bg-white/80 px-4 py-3 backdrop-blur dark:border-neutral-800 dark:bg-neutral-950/80">
        <div className="mx-auto max-w-3xl space-y-2">
          <BudgetBanner warning={latestBudgetWarning(messages)} />
          {notice && (
            <div className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
              <div role="alert">
                {notice.retryAfterSeconds ? withoutStaticWait(notice.message) : notice.message}
                {notice.code === "unauthorized" && (
                  <>
                    {" "}
                    <Link href="/signin" className="font-medium underline">
                      Sign in again
                    </Link>
                  </>
                )}
              </div>
              {(waiting || cooldown.ended) && (
                // Outside the alert and not live: a screen reader is not read every second of it
                // (the status below says once when the wait is over).
                <p className="mt-1 font-medium tabular-nums" data-testid="send-countdown" aria-live="off">
                  {waiting ? waitSentence(notice, noticeStored, cooldown.secondsLeft) : noticeStored ? "You can retry now." : "You can send again now."}
                </p>
              )}
            </div>
          )}
          <p role="status" className="sr-only" data-testid="send-again-announcement">
            {cooldown.ended ? (noticeStored ? "You can retry now." : "You can send again now.") : ""}
          </p>
          <Composer
            value={input}
            onChange={setInput}
            onSubmit={() => submit()}
            onStop={() => void stop()}
            busy={busy}
            blocked={waiting}
            disabled={!hydrated}
            maxBytes={maxMessageBytes}
          />
          <p className="text-center text-xs text-muted">
            Answers come from <span data-testid="model-label">{modelLabel}</span>. Check important facts.
          </p>
        </div>
      </div>
    </div>
  );
}

function EmptyState({ modelLabel, onPick, disabled }: { modelLabel: string; onPick: (s: string) => void; disabled: boolean }) {
  return (
    <div className="flex flex-col items-center gap-6 py-16 text-center">
      <div>
        <h2 className="text-2xl font-semibold">How can I help?</h2>
        <p className="mt-2 text-sm text-muted">
          You are chatting with <strong>{modelLabel}</strong>. Your conversations are private to you.
        </p>
      </div>
      <div className="grid w-full max-w-xl gap-2 sm:grid-cols-3">
        {SUGGESTIONS.map((s) => (
          <button
            key={s}
            type="button"
            disabled={disabled}
            onClick={() => onPick(s)}
            className="rounded-xl border border-neutral-200 p-3 text-left text-sm hover:bg-neutral-50 disabled:opacity-50 dark:border-neutral-800 dark:hover:bg-neutral-900"
          >
            {s}
          </button>
        ))}
      </div>
    </div>
  );
}

/**
 * The conversation as the server stored it, or null when it has none (nothing was stored, or
 * the lookup failed: then the caller takes the message back into the composer, so nothing the
 * user wrote is lost).
 */
async function storedMessages(conversationId: string): Promise<EnclaveUIMessage[] | null> {
  try {
    const res = await fetch(`/api/conversations/${encodeURIComponent(conversationId)}/messages`, { cache: "no-store" });
    if (!res.ok) return null;
    const body = (await res.json()) as { items?: EnclaveUIMessage[] };
    return Array.isArray(body.items) ? body.items : null;
  } catch {
    return null;
  }
}
