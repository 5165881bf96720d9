// The controller's Prometheus metrics, in a Registry of its own (never prom-client's global one, so two
// controllers in one process, as in tests, do not collide). MetalLB's names are kept so dashboards work.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../allocator/index.js';

export interface ControllerMetrics {
  readonly registry: Registry;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly configUpdates: Counter;
  readonly configUpdateErrors: Counter;
  readonly allocations: Counter;
  readonly releases: Counter;
  readonly reconcileDuration: Histogram<'result'>;
  readonly leader: Gauge;
  /** Replaces the per-pool gauges (pools that disappeared are dropped). */
  setPoolStats(stats: readonly PoolStats[]): void;
  /** Replaces the pending-Services gauge: count per reason. */
  setPending(counts: ReadonlyMap<string, number>): void;
}

/** A bigint count as a gauge value (Prometheus values are floats: an IPv6 /64 is 1.8e19, precision lost). */
const asNumber = (value: bigint): number => Number(value);

export function createControllerMetrics(registry: Registry = new Registry()): ControllerMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge =>
    new Gauge({ name, help, labelNames, registers });
  const total = gauge('metallb_allocator_addresses_total', 'Number of usable IP addresses, per pool', [
    'pool',
  ]);
  const inUse = gauge('metallb_allocator_addresses_in_use_total', 'Number of IP addresses in use, per pool', [
    'pool',
  ]);
  const v4Total = gauge(
    'metallb_allocator_addresses_ipv4_total',
    'Number of usable IPv4 addresses, per pool',
    ['pool'],
  );
  const v4InUse = gauge(
    'metallb_allocator_addresses_ipv4_in_use_total',
    'Number of IPv4 addresses in use, per pool',
    ['pool'],
  );
  const v6Total = gauge(
    'metallb_allocator_addresses_ipv6_total',
    'Number of usable IPv6 addresses, per pool',
    ['pool'],
  );
  const v6InUse = gauge(
    'metallb_allocator_addresses_ipv6_in_use_total',
    'Number of IPv6 addresses in use, per pool',
    ['pool'],
  );
  const pending = gauge(
    'lbops_controller_pending_services',
    'LoadBalancer Services without an address, by reason',
    ['reason'],
  );
  return {
    registry,
    configLoaded: gauge(
      'metallb_k8s_client_config_loaded_bool',
      '1 if a valid configuration was loaded at least once',
    ),
    configStale: gauge(
      'metallb_k8s_client_config_stale_bool',
      '1 if the running configuration is stale (the latest one is invalid; the last good one stays in force)',
    ),
    configUpdates: new Counter({
      name: 'metallb_k8s_client_updates_total',
      help: 'Number of configuration updates processed',
      registers,
    }),
    configUpdateErrors: new Counter({
      name: 'metallb_k8s_client_update_errors_total',
      help: 'Number of configuration updates that failed (invalid configuration)',
      registers,
    }),
    allocations: new Counter({
      name: 'lbops_controller_allocations_total',
      help: 'Addresses given to Services (new or moved)',
      registers,
    }),
    releases: new Counter({
      name: 'lbops_controller_releases_total',
      help: 'Services whose addresses were released',
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'lbops_controller_reconcile_duration_seconds',
      help: 'Time to reconcile one Service, by result',
      labelNames: ['result'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    leader: gauge('lbops_controller_leader', '1 while this replica holds the leader Lease'),
    setPoolStats(stats) {
      for (const g of [total, inUse, v4Total, v4InUse, v6Total, v6InUse]) g.reset();
      for (const s of stats) {
        const labels = { pool: s.pool };
        total.set(labels, asNumber(s.ipv4.total + s.ipv6.total));
        inUse.set(labels, asNumber(s.ipv4.used + s.ipv6.used));
        v4Total.set(labels, asNumber(s.ipv4.total));
        v4InUse.set(labels, asNumber(s.ipv4.used));
        v6Total.set(labels, asNumber(s.ipv6.total));
        v6InUse.set(labels, asNumber(s.ipv6.used));
      }
    },
    setPending(counts) {
      pending.reset();
      for (const [reason, count] of counts) pending.set({ reason }, count);
    },
  };
}
