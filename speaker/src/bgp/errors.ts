// The one error type the BGP decoders throw. It carries the NOTIFICATION the session must send back
// (RFC 4271 §6: the error code, subcode and data for each detected error).

/** NOTIFICATION error codes, RFC 4271 §4.5 (and RFC 4486/9003 Cease subcodes, RFC 7313). */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
} as const;

/** Message Header Error subcodes, RFC 4271 §6.1. */
export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** OPEN Message Error subcodes, RFC 4271 §6.2 and RFC 5492 §5 (Unsupported Capability). */
export const OpenSubcode = {
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
} as const;

/** UPDATE Message Error subcodes, RFC 4271 §6.3. */
export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** Cease subcodes, RFC 4486 §4. */
export const CeaseSubcode = {
  MaximumPrefixes: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
} as const;

/** A protocol error: the peer sent something we must answer with this NOTIFICATION and then close. */
export class BgpError extends Error {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;

  constructor(code: number, subcode: number, message: string, data: Uint8Array = new Uint8Array(0)) {
    super(`BGP error ${code}/${subcode}: ${message}`);
    this.name = 'BgpError';
    this.code = code;
    this.subcode = subcode;
    this.data = data;
  }
}

/** Throws the NOTIFICATION (code, subcode) unless `condition` holds. */
export function check(
  condition: boolean,
  code: number,
  subcode: number,
  message: string,
  data?: () => Uint8Array,
): asserts condition {
  if (!condition) throw new BgpError(code, subcode, message, data?.());
}
