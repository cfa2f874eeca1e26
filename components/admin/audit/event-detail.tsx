import Link from "next/link";
import { BackLink } from "@/components/ui/back-link";
import type { AuditEventDetailDto } from "@/lib/audit/console";
import { Badge, PageHeader } from "../ui";
import { actionLabel, isChatStep } from "./actions";
import { eventHref } from "./filters";
import { formatMs, formatTime } from "./format";
import { StepTimeline } from "./step-timeline";

/** One audit event with everything recorded about it, its seal, and its request's steps. */
export function AuditEventDetail({ detail, backQuery }: { detail: AuditEventDetailDto; backQuery: string }) {
  const { event: e, timeline } = detail;
  const chatSteps = timeline.filter((s) => isChatStep(s.action));
  const others = timeline.filter((s) => !isChatStep(s.action) && s.id !== e.id);
  const backHref = `/admin/audit${backQuery ? `?${backQuery}` : ""}`;
  const filterHref = (q: Record<string, string>) => `/admin/audit?${new URLSearchParams(q).toString()}`;
  return (
    <div className="space-y-8">
      <div>
        <BackLink href={backHref}>Audit log</BackLink>
        <PageHeader
          title={actionLabel(e.action)}
          description={`${e.action} · ${formatTime(e.createdAt, { ms: true })} UTC`}
        >
          <div className="flex flex-wrap gap-2">
            <Badge tone={e.outcome === "success" ? "green" : "red"}>{e.outcome}</Badge>
            {e.sealed ? (
              <Badge tone="blue" title={e.sealedAt ? `Sealed ${formatTime(e.sealedAt)} UTC` : undefined}>
                Sealed #{e.seq}
              </Badge>
            ) : (
              <Badge tone="amber" title="Events are sealed into the chain within seconds of being written">
                Not sealed yet
              </Badge>
            )}
          </div>
        </PageHeader>
      </div>

      <section aria-labelledby="fields-heading">
        <h2 id="fields-heading" className="mb-2 text-base font-semibold">
          Event
        </h2>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
          <Field label="Time">
            {formatTime(e.createdAt, { ms: true })} UTC <Mono>{e.createdAt}</Mono>
          </Field>
          <Field label="Actor">
            {e.actor ? (
              <>
                {e.actor.name} <span className="text-muted">({e.actor.email})</span>{" "}
                <Link
                  className="text-xs underline-offset-2 hover:underline"
                  href={filterHref({ user: e.actor.id })}
                >
                  their events
                </Link>
              </>
            ) : e.actorId ? (
              <Mono>{e.actorId}</Mono>
            ) : (
              "System"
            )}
          </Field>
          <Field label="Action">
            <Mono>{e.action}</Mono>
          </Field>
          <Field label="Target">
            {e.target ? (
              <>
                {e.target.type} <Mono>{e.target.id}</Mono>{" "}
                {e.target.type === "conversation" && (
                  <Link
                    className="text-xs underline-offset-2 hover:underline"
                    href={filterHref({ conversation: e.target.id })}
                  >
                    events of this conversation
                  </Link>
                )}
              </>
            ) : (
              "—"
            )}
          </Field>
          <Field label="Outcome">{e.outcome}</Field>
          <Field label="Latency">{formatMs(e.latencyMs)}</Field>
          <Field label="Request">{e.requestId ? <Mono>{e.requestId}</Mono> : "—"}</Field>
          <Field label="Session">{e.sessionId ? <Mono>{e.sessionId}</Mono> : "—"}</Field>
          <Field label="Event id">
            <Mono>{e.id}</Mono>
          </Field>
          <Field label="Input hash">{e.inputHash ? <Mono>{e.inputHash}</Mono> : "—"}</Field>
          <Field label="Output hash">{e.outputHash ? <Mono>{e.outputHash}</Mono> : "—"}</Field>
        </dl>
      </section>

      <section aria-labelledby="seal-heading">
        <h2 id="seal-heading" className="mb-2 text-base font-semibold">
          Seal
        </h2>
        {e.sealed ? (
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
            <Field label="Sequence">#{e.seq}</Field>
            <Field label="Previous hash">
              <Mono>{e.prevHash}</Mono>
            </Field>
            <Field label="Hash">
              <Mono>{e.hash}</Mono>
            </Field>
            <Field label="Sealed at">
              {e.sealedAt ? `${formatTime(e.sealedAt, { ms: true })} UTC` : "—"}
            </Field>
          </dl>
        ) : (
          <p className="text-sm text-neutral-600 dark:text-neutral-400">
            Not sealed yet: events are chained in batches within seconds of being written. Reload to see its
            seal.
          </p>
        )}
      </section>

      {chatSteps.length > 0 && <StepTimeline steps={chatSteps} currentId={e.id} backQuery={backQuery} />}

      {others.length > 0 && (
        <section aria-labelledby="related-heading">
          <h2 id="related-heading" className="mb-2 text-base font-semibold">
            Other events of this request
          </h2>
          <ul className="space-y-1 text-sm">
            {others.map((o) => (
              <li key={o.id}>
                <Link className="underline-offset-2 hover:underline" href={eventHref(o.id, backQuery)}>
                  {actionLabel(o.action)}
                </Link>{" "}
                <span className="text-muted">{formatTime(o.createdAt, { ms: true })} UTC</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="content-heading" className="grid gap-4 lg:grid-cols-2">
        <h2 id="content-heading" className="sr-only">
          Content and data
        </h2>
        <JsonBlock
          title="Content"
          value={e.content}
          empty="Nothing recorded: the org's content policy keeps hashes only here, or the step has no text."
        />
        <JsonBlock title="Data" value={e.data} empty="No structured detail." />
      </section>
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="font-medium text-muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

function Mono({ children }: { children: React.ReactNode }) {
  return (
    <code className="font-mono text-xs break-all text-neutral-700 dark:text-neutral-300">{children}</code>
  );
}

function JsonBlock({ title, value, empty }: { title: string; value: unknown; empty: string }) {
  const has = value !== null && value !== undefined;
  return (
    <div className="min-w-0">
      <h3 className="mb-1 text-sm font-semibold">{title}</h3>
      {has ? (
        <pre
          tabIndex={0}
          aria-label={`${title} as JSON`}
          className="max-h-96 overflow-auto rounded-md bg-neutral-100 p-3 font-mono text-xs whitespace-pre-wrap break-words dark:bg-neutral-900"
        >
          {JSON.stringify(value, null, 2)}
        </pre>
      ) : (
        <p className="text-sm text-muted">{empty}</p>
      )}
    </div>
  );
}
