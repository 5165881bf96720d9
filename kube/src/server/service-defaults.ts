// The defaults kube-apiserver fills into Services, so that kubectl shows what users expect and the
// controller sees ipFamilies and ports as on a real cluster. Cluster IPs and node ports are
// allocated sequentially and never reused while in use.
import { isObject, type JsonObject } from './json.js';

export class ServiceAllocations {
  private readonly clusterIps = new Set<string>();
  private readonly nodePorts = new Set<number>();
  private nextIp = 1;
  private nextPort = 30000;

  /** Records what an existing Service holds (at start and after restarts). */
  track(service: JsonObject): void {
    const spec = isObject(service.spec) ? service.spec : {};
    if (Array.isArray(spec.clusterIPs))
      for (const ip of spec.clusterIPs) if (typeof ip === 'string') this.clusterIps.add(ip);
    if (Array.isArray(spec.ports))
      for (const p of spec.ports)
        if (isObject(p) && typeof p.nodePort === 'number') this.nodePorts.add(p.nodePort);
  }

  release(service: JsonObject): void {
    const spec = isObject(service.spec) ? service.spec : {};
    if (Array.isArray(spec.clusterIPs))
      for (const ip of spec.clusterIPs) if (typeof ip === 'string') this.clusterIps.delete(ip);
    if (Array.isArray(spec.ports))
      for (const p of spec.ports)
        if (isObject(p) && typeof p.nodePort === 'number') this.nodePorts.delete(p.nodePort);
  }

  private allocateIp(family: 'IPv4' | 'IPv6'): string {
    // 10.96.0.0/12 and fd00:10:96::/108 as kubeadm's defaults; 2^20 addresses are plenty here.
    for (let tries = 0; tries < 1 << 20; tries++) {
      const n = this.nextIp;
      this.nextIp = (this.nextIp % ((1 << 20) - 2)) + 1;
      const ip =
        family === 'IPv4'
          ? `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`
          : `fd00:10:96::${n.toString(16)}`;
      if (!this.clusterIps.has(ip)) {
        this.clusterIps.add(ip);
        return ip;
      }
    }
    return '';
  }

  /** A free node port, or undefined when all 2768 are taken (then the Service gets none). */
  private allocatePort(): number | undefined {
    if (this.nodePorts.size >= 2768) return undefined;
    for (let tries = 0; tries < 2768; tries++) {
      const p = this.nextPort;
      this.nextPort = p >= 32767 ? 30000 : p + 1;
      if (!this.nodePorts.has(p)) {
        this.nodePorts.add(p);
        return p;
      }
    }
    return undefined;
  }

  /** Fills defaults into `service` in place, keeping whatever `previous` already had allocated. */
  applyDefaults(service: JsonObject, previous: JsonObject | undefined): void {
    const spec = isObject(service.spec) ? service.spec : {};
    service.spec = spec;
    const before = previous !== undefined && isObject(previous.spec) ? previous.spec : {};
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
    const type = spec.type;
    if (type === 'LoadBalancer' || type === 'NodePort') {
      spec.externalTrafficPolicy ??= 'Cluster';
      if (type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    }
    if (type !== 'ExternalName' && spec.clusterIP !== 'None') {
      spec.ipFamilyPolicy ??= 'SingleStack';
      const dual = spec.ipFamilyPolicy === 'RequireDualStack' || spec.ipFamilyPolicy === 'PreferDualStack';
      if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
        spec.ipFamilies =
          Array.isArray(before.ipFamilies) && before.ipFamilies.length > 0
            ? before.ipFamilies
            : dual
              ? ['IPv4', 'IPv6']
              : ['IPv4'];
      } else if (dual && spec.ipFamilies.length === 1) {
        spec.ipFamilies = [spec.ipFamilies[0], spec.ipFamilies[0] === 'IPv6' ? 'IPv4' : 'IPv6'];
      }
      const familyList: unknown[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
      const families = familyList.filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
      const keep = Array.isArray(before.clusterIPs)
        ? before.clusterIPs.filter((ip): ip is string => typeof ip === 'string')
        : [];
      if (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) {
        spec.clusterIPs = families.map(
          (f: 'IPv4' | 'IPv6', i: number) =>
            keep[i] ??
            (i === 0 && typeof spec.clusterIP === 'string' && spec.clusterIP !== ''
              ? spec.clusterIP
              : this.allocateIp(f)),
        );
      }
      if (Array.isArray(spec.clusterIPs))
        for (const ip of spec.clusterIPs) if (typeof ip === 'string') this.clusterIps.add(ip);
      spec.clusterIP = Array.isArray(spec.clusterIPs) ? spec.clusterIPs[0] : spec.clusterIP;
    }
    const oldPorts = Array.isArray(before.ports) ? before.ports.filter(isObject) : [];
    if (Array.isArray(spec.ports)) {
      for (const port of spec.ports) {
        if (!isObject(port)) continue;
        port.protocol ??= 'TCP';
        port.targetPort ??= port.port;
        const wantsNodePort =
          type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
        if (wantsNodePort && port.nodePort === undefined) {
          const old = oldPorts.find((o) => o.port === port.port && o.protocol === port.protocol);
          const allocated = typeof old?.nodePort === 'number' ? old.nodePort : this.allocatePort();
          if (allocated !== undefined) port.nodePort = allocated;
        }
        if (!wantsNodePort) delete port.nodePort;
      }
    }
    if (!isObject(service.status)) service.status = { loadBalancer: {} };
  }
}
