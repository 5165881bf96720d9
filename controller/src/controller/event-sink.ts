// Events are best effort and must not slow reconciles down: they are queued and written by a few senders.
import type { EventRecorder, InvolvedObject } from '@lbops/kube';
import type { ServiceEvent } from './service-decision.js';

interface Item {
  readonly object: InvolvedObject;
  readonly event: ServiceEvent;
}

export class EventSink {
  private readonly items: Item[] = [];
  private head = 0;
  private active = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly recorder: EventRecorder,
    private readonly concurrency = 4,
    /** Beyond this many queued Events new ones are dropped (a flood must not exhaust memory). */
    private readonly limit = 50_000,
  ) {}

  push(object: InvolvedObject, event: ServiceEvent): void {
    if (this.items.length - this.head >= this.limit) return;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.items.push({ object, event });
    while (this.active < this.concurrency && this.head < this.items.length) this.spawn();
  }

  /** Resolves once every queued Event was written (or failed). */
  idle(): Promise<void> {
    if (this.active === 0 && this.head >= this.items.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private spawn(): void {
    this.active++;
    void this.drain().finally(() => {
      this.active--;
      if (this.active === 0 && this.head >= this.items.length) {
        this.items.length = 0;
        this.head = 0;
        for (const waiter of this.idleWaiters.splice(0)) waiter();
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.head < this.items.length) {
      const item = this.items[this.head];
      this.head++;
      if (item === undefined) continue;
      await this.recorder.record(item.object, item.event.type, item.event.reason, item.event.message);
    }
  }
}
