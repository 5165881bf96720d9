// Events are best effort and must not slow reconciles down: they are queued and written by a few senders.
// While reconciles are waiting (a burst of new Services), one sender only: the Service writes that give
// Services their addresses go first, the Events follow as soon as the burst is through.
import type { EventRecorder, InvolvedObject } from '@lbops/kube';
import type { ServiceEvent } from './service-decision.js';

interface Item {
  readonly object: InvolvedObject;
  readonly event: ServiceEvent;
}

export interface EventSinkOptions {
  /** Senders when nothing else waits. Default 4. */
  readonly concurrency?: number;
  /** Beyond this many queued Events new ones are dropped (a flood must not exhaust memory). Default 50,000. */
  readonly limit?: number;
  /** Whether more important work is waiting: then one sender only (never none, so Events cannot starve). */
  readonly busy?: () => boolean;
}

export class EventSink {
  private readonly items: Item[] = [];
  private head = 0;
  private active = 0;
  /** Senders that decided to stop but have not finished yet. */
  private retiring = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly limit: number;

  constructor(
    private readonly recorder: EventRecorder,
    private readonly options: EventSinkOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.limit = options.limit ?? 50_000;
  }

  push(object: InvolvedObject, event: ServiceEvent): void {
    if (this.items.length - this.head >= this.limit) return;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.items.push({ object, event });
    this.spawnUpTo();
  }

  /** Resolves once every queued Event was written (or failed). */
  idle(): Promise<void> {
    if (this.active === 0 && this.head >= this.items.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private senders(): number {
    return this.options.busy?.() === true ? 1 : this.concurrency;
  }

  private spawnUpTo(): void {
    const senders = this.senders();
    while (this.active - this.retiring < senders && this.head < this.items.length) this.spawn();
  }

  private spawn(): void {
    this.active++;
    void this.drain().then((retired) => {
      if (retired) this.retiring--;
      this.active--;
      if (this.active === 0 && this.head >= this.items.length) {
        this.items.length = 0;
        this.head = 0;
        for (const waiter of this.idleWaiters.splice(0)) waiter();
      }
    });
  }

  /** Sends queued Events until none is left; true when it stopped early to leave room for reconciles. */
  private async drain(): Promise<boolean> {
    while (this.head < this.items.length) {
      // Busy again: the extra senders stop; not busy any more: the one left brings the others back.
      if (this.active - this.retiring > this.senders()) {
        this.retiring++;
        return true;
      }
      const item = this.items[this.head];
      this.head++;
      this.spawnUpTo();
      if (item === undefined) continue;
      await this.recorder.record(item.object, item.event.type, item.event.reason, item.event.message);
    }
    return false;
  }
}
