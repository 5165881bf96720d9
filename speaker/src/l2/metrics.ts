/**
 * Layer 2 metrics. The three `metallb_layer2_*` names and their `ip` label are MetalLB's, so existing dashboards
 * keep working; the rest are ours. The Registry is passed in: the speaker owns one and serves it.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface Layer2Metrics {
  readonly requestsReceived: Counter<'ip'>;
  readonly responsesSent: Counter<'ip'>;
  readonly gratuitousSent: Counter<'ip'>;
  readonly probesSent: Counter<'ip'>;
  readonly droppedRequests: Counter<'reason'>;
  readonly ownershipChanges: Counter<'ip' | 'status'>;
  readonly conflicts: Counter<'ip' | 'phase'>;
  readonly sendFailures: Counter<'interface'>;
  readonly membershipSize: Gauge;
  readonly failuresDetected: Counter;
}

export function createLayer2Metrics(registry: Registry): Layer2Metrics {
  const registers = [registry];
  return {
    requestsReceived: new Counter({
      name: 'metallb_layer2_requests_received',
      help: 'Number of layer 2 requests (ARP, NDP) received for owned IPs',
      labelNames: ['ip'],
      registers,
    }),
    responsesSent: new Counter({
      name: 'metallb_layer2_responses_sent',
      help: 'Number of layer 2 responses sent for owned IPs',
      labelNames: ['ip'],
      registers,
    }),
    gratuitousSent: new Counter({
      name: 'metallb_layer2_gratuitous_sent',
      help: 'Number of gratuitous layer 2 packets sent for owned IPs',
      labelNames: ['ip'],
      registers,
    }),
    probesSent: new Counter({
      name: 'lbops_layer2_probes_sent_total',
      help: 'RFC 5227 ARP probes and DAD-style Neighbor Solicitations sent before announcing an IP',
      labelNames: ['ip'],
      registers,
    }),
    droppedRequests: new Counter({
      name: 'lbops_layer2_dropped_total',
      help: 'Received ARP/NDP frames not answered, by reason',
      labelNames: ['reason'],
      registers,
    }),
    ownershipChanges: new Counter({
      name: 'lbops_layer2_ownership_changes_total',
      help: "Changes of this node's state for an IP (standby, probing, announcing, conflict)",
      labelNames: ['ip', 'status'],
      registers,
    }),
    conflicts: new Counter({
      name: 'lbops_layer2_conflicts_total',
      help: 'Another host on the LAN claimed an IP we probed for or announce (RFC 5227)',
      labelNames: ['ip', 'phase'],
      registers,
    }),
    sendFailures: new Counter({
      name: 'lbops_layer2_send_failures_total',
      help: 'Frames the link layer refused to send',
      labelNames: ['interface'],
      registers,
    }),
    membershipSize: new Gauge({
      name: 'lbops_memberlist_members',
      help: 'Speakers this node currently considers alive (itself included)',
      registers,
    }),
    failuresDetected: new Counter({
      name: 'lbops_memberlist_failures_detected_total',
      help: 'Speakers declared dead by the membership protocol',
      registers,
    }),
  };
}
