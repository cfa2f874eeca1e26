/**
 * A small queue between the team's producers (the plan, parallel branches, the aggregator) and the
 * one stream the turn reads. Branches push their trace as they progress; the aggregator waits when
 * the reader is `highWater` parts behind, so a slow reader holds the model stream back instead of
 * buffering a whole reply.
 */
export class Channel<T> {
  private items: T[] = [];
  private readers: Array<(r: IteratorResult<T, undefined>) => void> = [];
  private roomWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly highWater = 32) {}

  push(item: T): void {
    if (this.closed) return;
    const reader = this.readers.shift();
    if (reader) reader({ done: false, value: item });
    else this.items.push(item);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.readers.splice(0)) r({ done: true, value: undefined });
    for (const w of this.roomWaiters.splice(0)) w();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once the reader has caught up below the high-water mark (or the channel closed). */
  room(): Promise<void> {
    if (this.closed || this.items.length < this.highWater) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const item = this.items.shift();
    if (this.items.length < this.highWater) for (const w of this.roomWaiters.splice(0)) w();
    if (item !== undefined) return Promise.resolve({ done: false, value: item });
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** A pull-based stream of the channel; cancelling it calls `onCancel` and closes the channel. */
  toStream(onCancel: (reason: unknown) => void): ReadableStream<T> {
    return new ReadableStream<T>(
      {
        pull: async (controller) => {
          const r = await this.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        },
        cancel: (reason) => {
          onCancel(reason);
          this.close();
        },
      },
      { highWaterMark: 0 },
    );
  }
}
