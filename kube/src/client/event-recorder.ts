// Kubernetes Events, aggregated as client-go's EventCorrelator does, so that a Service stuck in a
// retry loop produces one Event with a growing count instead of thousands:
// - an identical event (same object, type, reason, message, source) within the window bumps
//   `count` and `lastTimestamp` of the existing Event (a patch, not a new object);
// - more than `maxSimilar` events of one reason with different messages within the window
//   collapse into one "(combined from similar events): <latest message>" Event;
// - a token bucket per object (burst 25, one token per 5 minutes) drops floods.
import type { KubeClient, KubeObject } from './kube-client.js';
import { isNotFound, resourcePath } from './kube-client.js';

export type EventType = 'Normal' | 'Warning';

export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface EventInput {
  readonly object: InvolvedObject;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export type CorrelationDecision =
  | { readonly action: 'create'; readonly name: string; readonly count: 1; readonly message: string }
  | {
      readonly action: 'update';
      readonly name: string;
      readonly count: number;
      readonly message: string;
      readonly firstTimestamp: number;
    }
  | { readonly action: 'drop' };

interface Seen {
  name: string;
  count: number;
  first: number;
  last: number;
}

export interface CorrelatorOptions {
  readonly windowMs?: number;
  readonly maxSimilar?: number;
  readonly burst?: number;
  readonly refillMs?: number;
}

/** The pure part: decides create, update (aggregate) or drop for each event at time `now`. */
export class EventCorrelator {
  private readonly exact = new Map<string, Seen>();
  private readonly similar = new Map<string, { messages: Set<string>; first: number; seen?: Seen }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sequence = 0;

  constructor(
    private readonly source: string,
    private readonly options: CorrelatorOptions = {},
  ) {}

  private get windowMs(): number {
    return this.options.windowMs ?? 10 * 60_000;
  }

  private allow(objectKey: string, now: number): boolean {
    const burst = this.options.burst ?? 25;
    const refill = this.options.refillMs ?? 5 * 60_000;
    const bucket = this.buckets.get(objectKey) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + Math.floor((now - bucket.at) / refill));
    if (now - bucket.at >= refill) bucket.at = now;
    this.buckets.set(objectKey, bucket);
    if (bucket.tokens <= 0) return false;
    bucket.tokens--;
    return true;
  }

  private eventName(objectName: string, now: number): string {
    this.sequence = (this.sequence + 1) % 4096;
    // client-go names events <object>.<unix nanos in hex>; the sequence keeps same-ms names apart.
    return `${objectName}.${(BigInt(now) * 1_000_000n + BigInt(this.sequence)).toString(16)}`;
  }

  decide(event: EventInput, now: number): CorrelationDecision {
    const o = event.object;
    const objectKey = `${o.kind}/${o.namespace ?? ''}/${o.name}/${o.uid ?? ''}`;
    const exactKey = `${this.source}|${objectKey}|${event.type}|${event.reason}|${event.message}`;
    const seen = this.exact.get(exactKey);
    if (seen !== undefined && now - seen.last <= this.windowMs) {
      // Repeats of a known event only update it, and do not spend tokens (as client-go).
      seen.count++;
      seen.last = now;
      return {
        action: 'update',
        name: seen.name,
        count: seen.count,
        message: event.message,
        firstTimestamp: seen.first,
      };
    }
    if (!this.allow(objectKey, now)) return { action: 'drop' };
    const similarKey = `${this.source}|${objectKey}|${event.type}|${event.reason}`;
    let group = this.similar.get(similarKey);
    if (group === undefined || now - group.first > this.windowMs) {
      group = { messages: new Set(), first: now };
      this.similar.set(similarKey, group);
    }
    group.messages.add(event.message);
    if (group.messages.size > (this.options.maxSimilar ?? 10)) {
      const message = `(combined from similar events): ${event.message}`;
      if (group.seen !== undefined) {
        group.seen.count++;
        group.seen.last = now;
        return {
          action: 'update',
          name: group.seen.name,
          count: group.seen.count,
          message,
          firstTimestamp: group.seen.first,
        };
      }
      group.seen = { name: this.eventName(o.name, now), count: 1, first: now, last: now };
      return { action: 'create', name: group.seen.name, count: 1, message };
    }
    const created: Seen = { name: this.eventName(o.name, now), count: 1, first: now, last: now };
    this.exact.set(exactKey, created);
    return { action: 'create', name: created.name, count: 1, message: event.message };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes core/v1 Events through the API; failures are reported, never thrown (events are best effort). */
export class EventRecorder {
  private readonly correlator: EventCorrelator;

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly options: CorrelatorOptions & {
      readonly host?: string;
      readonly now?: () => number;
      readonly onError?: (e: unknown) => void;
    } = {},
  ) {
    this.correlator = new EventCorrelator(component, options);
  }

  /** Records an event about `object` (a full object or just its reference). */
  async record(
    object: KubeObject | InvolvedObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const ref = toReference(object);
    const now = (this.options.now ?? Date.now)();
    const decision = this.correlator.decide({ object: ref, type, reason, message }, now);
    if (decision.action === 'drop') return;
    const namespace = ref.namespace ?? 'default';
    try {
      if (decision.action === 'update') {
        try {
          await this.client.mergePatch(
            resourcePath({ apiVersion: 'v1', resource: 'events', namespace, name: decision.name }),
            {
              count: decision.count,
              lastTimestamp: iso(now),
              message: decision.message,
            },
          );
          return;
        } catch (e) {
          // The Event expired or its namespace was recreated: write it again under the same name.
          if (!isNotFound(e)) throw e;
        }
      }
      const event: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: decision.name, namespace },
        involvedObject: { ...ref },
        reason,
        message: decision.message,
        type,
        count: decision.count,
        firstTimestamp: iso(decision.action === 'update' ? decision.firstTimestamp : now),
        lastTimestamp: iso(now),
        source: {
          component: this.component,
          ...(this.options.host !== undefined ? { host: this.options.host } : {}),
        },
        reportingComponent: this.component,
        reportingInstance: this.options.host ?? '',
      };
      await this.client.create(resourcePath({ apiVersion: 'v1', resource: 'events', namespace }), event);
    } catch (e) {
      this.options.onError?.(e);
    }
  }
}

function toReference(object: KubeObject | InvolvedObject): InvolvedObject {
  if ('metadata' in object) {
    const meta = object.metadata ?? {};
    return {
      apiVersion: object.apiVersion ?? 'v1',
      kind: object.kind ?? '',
      name: meta.name ?? '',
      ...(meta.namespace !== undefined ? { namespace: meta.namespace } : {}),
      ...(meta.uid !== undefined ? { uid: meta.uid } : {}),
      ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
    };
  }
  return object as InvolvedObject;
}
