/**
 * Link-layer access for ARP and NDP through libpcap (`cap`). Why pcap and not an ICMPv6 raw socket for NDP too:
 * the Service IP is never added to a NIC, so the kernel drops unicast Neighbor Solicitations for it (the NUD
 * probes clients send every few minutes) before a raw socket sees them; a capture sees every frame on the link.
 * `cap` always opens the device in promiscuous mode, so solicited-node multicast reaches us regardless of the
 * NIC's multicast filter; `ndp-groups.ts` still joins the groups so that stays true without promiscuity.
 * This file is the only one that touches `cap`.
 */
import { createRequire } from 'node:module';

interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  send(buffer: Buffer, length?: number): void;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}

interface CapModule {
  Cap: new () => CapHandle;
}

const require = createRequire(import.meta.url);
let capModule: CapModule | undefined;

function loadCap(): CapModule {
  // Loaded lazily so that pure code and unit tests never need the native addon.
  capModule ??= require('cap') as CapModule;
  return capModule;
}

/** ARP, and ICMPv6 NS/NA (types 135/136; no extension headers precede them in NDP, RFC 4861 §7.1). */
export const L2_CAPTURE_FILTER = 'arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))';

export interface LinkLayerPort {
  readonly interfaceName: string;
  send(frame: Uint8Array): void;
  close(): void;
}

/** Ethernet frames shorter than 60 bytes (without FCS) are padded by the sender (IEEE 802.3 minimum size). */
const MINIMUM_FRAME = 60;

export function openLinkLayer(interfaceName: string, onFrame: (frame: Uint8Array) => void): LinkLayerPort {
  const { Cap } = loadCap();
  const cap = new Cap();
  const buffer = Buffer.alloc(65_535);
  const linkType = cap.open(interfaceName, L2_CAPTURE_FILTER, 1024 * 1024, buffer);
  if (linkType !== 'ETHERNET') {
    cap.close();
    throw new Error(
      `layer 2: interface ${interfaceName} has link type ${linkType}, not Ethernet; skip it with L2Advertisement.interfaces`,
    );
  }
  let open = true;
  cap.on('packet', (nbytes) => {
    if (open) onFrame(Uint8Array.prototype.slice.call(buffer, 0, nbytes));
  });
  return {
    interfaceName,
    send(frame) {
      if (!open) return;
      const out = Buffer.alloc(Math.max(MINIMUM_FRAME, frame.length));
      out.set(frame);
      cap.send(out, out.length);
    },
    close() {
      if (!open) return;
      open = false;
      cap.removeAllListeners('packet');
      cap.close();
    },
  };
}
