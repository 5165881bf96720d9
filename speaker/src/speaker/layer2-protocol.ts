// Layer 2 behind the protocol interface: the IPs this node owns go to the layer 2 runtime (ARP/NDP answers,
// RFC 5227 probe, gratuitous announcements); IPs it no longer owns are dropped there.
import type { Config } from '@lbops/schemas';
import type { IpAssignment } from '../l2/responder.js';
import type { NodeInfo } from './cluster-state.js';
import type { L2Announcement } from './decide.js';
import type { ProtocolHandler, ProtocolProblem } from './protocol.js';

/** What the adapter needs of `Layer2Runtime` (a fake in tests). */
export interface Layer2Driver {
  setIp(ip: string, assignment: IpAssignment): void;
  removeIp(ip: string): void;
}

export interface Layer2ProtocolOptions {
  /**
   * Probe (RFC 5227) before first announcing an IP. Default true. A function decides per IP: a takeover from
   * a speaker the membership declared dead skips it (the address was the cluster's a moment ago, and the
   * probe would only delay the failover).
   */
  readonly probe?: boolean | ((ip: string) => boolean);
}

export class Layer2Protocol implements ProtocolHandler<L2Announcement> {
  readonly protocol = 'layer2' as const;
  /** IPs per Service, and the Services per IP: shared IPs (allow-shared-ip) stay until the last one goes. */
  private readonly byService = new Map<string, Map<string, readonly string[]>>();
  private readonly byIp = new Map<string, Set<string>>();

  constructor(
    private readonly driver: Layer2Driver,
    private readonly options: Layer2ProtocolOptions = {},
  ) {}

  setConfig(_config: Config): ProtocolProblem[] {
    // Interfaces come with each announcement (from its L2Advertisements); nothing global to apply.
    return [];
  }

  setNode(_node: NodeInfo): ProtocolProblem[] {
    return [];
  }

  setBalancer(service: string, announcements: readonly L2Announcement[]): ProtocolProblem[] {
    const next = new Map(announcements.map((a) => [a.ip, a.interfaces]));
    const previous = this.byService.get(service) ?? new Map<string, readonly string[]>();
    for (const ip of previous.keys()) if (!next.has(ip)) this.release(service, ip);
    for (const [ip, interfaces] of next) {
      const users = this.byIp.get(ip) ?? new Set<string>();
      users.add(service);
      this.byIp.set(ip, users);
      this.driver.setIp(ip, {
        leader: true,
        probe: this.probeFor(ip),
        ...(interfaces.length > 0 ? { interfaces } : {}),
      });
    }
    if (next.size === 0) this.byService.delete(service);
    else this.byService.set(service, next);
    return [];
  }

  deleteBalancer(service: string): void {
    this.setBalancer(service, []);
  }

  stop(): void {
    for (const service of [...this.byService.keys()]) this.deleteBalancer(service);
  }

  private probeFor(ip: string): boolean {
    const probe = this.options.probe ?? true;
    return typeof probe === 'function' ? probe(ip) : probe;
  }

  private release(service: string, ip: string): void {
    const users = this.byIp.get(ip);
    users?.delete(service);
    if (users === undefined || users.size === 0) {
      this.byIp.delete(ip);
      this.driver.removeIp(ip);
    }
  }
}
