// The BGP speaker: codecs (pure), the session state machine (pure, injected clock), the announcer, and the
// node:net adapter.
export { BgpError, CeaseSubcode, ErrorCode, HeaderSubcode, OpenSubcode, UpdateSubcode } from './errors.js';
export { Afi, Safi, CapabilityCode, type Capability, type GracefulRestartFamily } from './capabilities.js';
export { AS_TRANS, type OpenMessage, openCapabilities } from './open.js';
export {
  AttributeType,
  Origin,
  SegmentType,
  type AsPathSegment,
  type AttributeContext,
  type AttributeProblem,
  type LargeCommunity,
  type PathAttribute,
} from './attributes.js';
export { type UpdateMessage, isTreatAsWithdraw } from './update.js';
export {
  type BgpMessage,
  type KeepaliveMessage,
  type MessageContext,
  type NotificationMessage,
  type RouteRefreshMessage,
  MAX_MESSAGE_LENGTH,
  MessageFramer,
  MessageType,
  decodeMessage,
  encodeMessage,
  messageEncodingLength,
  serializeMessage,
} from './message.js';
export { type Clock, FakeClock, systemClock } from './clock.js';
export {
  BgpSession,
  type Connection,
  type ConnectionEvents,
  type Dial,
  type DownReason,
  type Negotiated,
  type SessionConfig,
  type SessionObserver,
  type SessionState,
} from './session.js';
export {
  type PeerView,
  type Route,
  type RouteProblem,
  aggregatePrefix,
  endOfRib,
  planUpdates,
  validateRoutes,
} from './announcer.js';
export { type ParsedCommunity, formatCommunity, parseCommunity } from './communities.js';
export { BgpPeer, type PeerObserver } from './peer.js';
export { BgpListener, type ListenerOptions } from './listener.js';
export { BgpMetrics, type TrackedPeer, combineObservers } from './metrics.js';
export { type TcpPeer, acceptSocket, remoteAddressOf, tcpDialer } from './tcp.js';
export { SocketOptionUnavailableError, tcpMd5Status } from './tcp-md5.js';
