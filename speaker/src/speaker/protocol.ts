// The one small interface both protocols implement, so the speaker drives layer 2 and BGP the same way:
// the configuration, this node, and per Service (a "balancer") what to announce.
import type { Config } from '@lbops/schemas';
import type { NodeInfo } from './cluster-state.js';
import type { ProtocolName } from './decide.js';

/** Something a protocol could not do; becomes an `announceFailed` Event and a log line. */
export interface ProtocolProblem {
  /** The Service key, when the problem is about one Service. */
  readonly service?: string;
  readonly ip?: string;
  readonly peer?: string;
  readonly message: string;
}

/** Secret values by `namespace/name` and key (BGP passwords). Never logged. */
export type SecretLookup = (namespace: string, name: string, key: string) => string | undefined;

export interface ProtocolHandler<A> {
  readonly protocol: ProtocolName;
  setConfig(config: Config, secrets: SecretLookup): ProtocolProblem[];
  setNode(node: NodeInfo): ProtocolProblem[];
  /** Replaces what is announced for one Service (its announcements of this protocol on this node). */
  setBalancer(service: string, announcements: readonly A[]): ProtocolProblem[];
  deleteBalancer(service: string): void;
  stop(): void;
}
