export { createLab, withLab } from './create-lab.js';
export type { LabSpecWithDaemons } from './create-lab.js';
export { BgpDaemon } from './bgp-daemon.js';
export type { ResolvedDaemonSpec, ResolvedPeer } from './bgp-daemon.js';
export { familyOf, nextHopsOf, normalizeState, prefixFamily } from './bgp-types.js';
export type {
  AddressFamily,
  BgpDaemonKind,
  BgpDaemonSpec,
  BgpPeerRef,
  BgpPeerSpec,
  BgpRoute,
  BgpSession,
  BgpSessionState,
} from './bgp-types.js';
export { BirdDaemon, birdConfig, parseBirdProtocols, parseBirdRoutes } from './bird.js';
export { FrrDaemon, frrConfig, parseFrrNeighbors, parseFrrPrefix, parseFrrRoutes } from './frr.js';
export { GobgpDaemon, gobgpConfig, parseGobgpNeighbors, parseGobgpRib } from './gobgp.js';
export { defaultAsn } from './daemons.js';
export { Lab, artifactsRoot } from './lab.js';
export type { Clients, LabDescription, LabSpawnOptions, LabSpec, TeardownOptions } from './lab.js';
export { LabCommandError, LabPrerequisiteError, LabTimeoutError } from './errors.js';
export { execCommand, inNamespace } from './exec.js';
export type { ExecOptions, ExecResult } from './exec.js';
export { planLab, namePrefix, ownedNamePattern } from './plan.js';
export type { Host, Interface, LabPlan, ManagementLink, NodePlan, RouterPlan } from './plan.js';
export { LabProcess } from './processes.js';
export type { Exit } from './processes.js';
export {
  assertPrerequisites,
  findTool,
  labSkipReason,
  missingPrerequisites,
  prerequisiteError,
  skipReasonFor,
  toolPath,
  tools,
} from './requirements.js';
export type { Tool, ToolName } from './requirements.js';
export { stateRoot } from './state.js';
export { listLabNamespaces, listLabRootLinks, sweep } from './sweep.js';
export type { SweepOptions, SweepReport } from './sweep.js';
export { waitFor } from './wait-for.js';
export type { WaitOptions } from './wait-for.js';
export { leftoversOf, processesMentioning } from './leftovers.js';
export {
  arping,
  http,
  kernelRoutes,
  neighbours,
  parseArping,
  parseKernelRoutes,
  parseNeighbours,
  parsePing,
  ping,
} from './probes.js';
export type { ArpingReply, ArpingResult, HttpResult, KernelRoute, Neighbour, PingResult } from './probes.js';
export { startCapture } from './capture.js';
export type { Capture } from './capture.js';
export { describeLab } from './describe.js';
export type { DaemonDescription } from './lab.js';
export { labStatuses } from './status.js';
export type { LabStatus } from './status.js';
