// UPDATE message body (RFC 4271 §4.3) with RFC 7606 revised error handling.

import { readU16, writeU16 } from './bytes.js';
import {
  type AttributeContext,
  type AttributeProblem,
  AttributeFlag,
  AttributeType,
  type PathAttribute,
  attributeEncodingLength,
  attributeTypeCode,
  decodeAttributeValue,
  encodeAttribute,
} from './attributes.js';
import { BgpError, ErrorCode, UpdateSubcode } from './errors.js';
import { decodePrefixes, encodePrefixes, prefixesEncodingLength } from './nlri.js';

export interface UpdateMessage {
  type: 'update';
  /** IPv4 unicast prefixes withdrawn in the classic field. */
  withdrawn: string[];
  attributes: PathAttribute[];
  /** IPv4 unicast prefixes announced in the classic field. */
  nlri: string[];
  /**
   * Set only by the decoder: malformed attributes handled without a reset (RFC 7606 §2). When any problem is
   * "treat-as-withdraw", every prefix this UPDATE announces must be handled as withdrawn.
   */
  problems?: AttributeProblem[];
}

export function attributesEncodingLength(
  attributes: readonly PathAttribute[],
  ctx: AttributeContext,
): number {
  let total = 0;
  for (const a of attributes) total += attributeEncodingLength(a, ctx);
  return total;
}

export function updateEncodingLength(update: UpdateMessage, ctx: AttributeContext): number {
  return (
    2 +
    prefixesEncodingLength(update.withdrawn) +
    2 +
    attributesEncodingLength(update.attributes, ctx) +
    prefixesEncodingLength(update.nlri)
  );
}

export function encodeUpdate(
  update: UpdateMessage,
  ctx: AttributeContext,
  buf: Uint8Array,
  offset: number,
): number {
  let at = offset + 2;
  at += encodePrefixes(update.withdrawn, 'ipv4', buf, at);
  writeU16(buf, offset, at - offset - 2);
  const attributesStart = at + 2;
  at = attributesStart;
  for (const a of update.attributes) at += encodeAttribute(a, ctx, buf, at);
  writeU16(buf, attributesStart - 2, at - attributesStart);
  at += encodePrefixes(update.nlri, 'ipv4', buf, at);
  return at - offset;
}

/** True when RFC 7606 requires the prefixes this UPDATE announces to be handled as withdrawn. */
export function isTreatAsWithdraw(update: UpdateMessage): boolean {
  return update.problems?.some((p) => p.action === 'treat-as-withdraw') ?? false;
}

export function decodeUpdate(
  buf: Uint8Array,
  offset: number,
  end: number,
  ctx: AttributeContext,
): { value: UpdateMessage; bytes: number } {
  const malformedList = (reason: string) =>
    new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, reason);
  if (end - offset < 4) throw malformedList('UPDATE shorter than its two length fields');
  const withdrawnLength = readU16(buf, offset);
  const withdrawnEnd = offset + 2 + withdrawnLength;
  // RFC 4271 §6.3: the field lengths must fit the message.
  if (withdrawnEnd + 2 > end) throw malformedList('withdrawn routes length overruns the message');
  const withdrawn = decodePrefixes(buf, offset + 2, withdrawnEnd, 'ipv4');
  const attributesLength = readU16(buf, withdrawnEnd);
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + attributesLength;
  if (attributesEnd > end) throw malformedList('total path attribute length overruns the message');
  const nlri = decodePrefixes(buf, attributesEnd, end, 'ipv4');

  const attributes: PathAttribute[] = [];
  const problems: AttributeProblem[] = [];
  const seen = new Set<number>();
  let at = attributesStart;
  while (at < attributesEnd) {
    if (attributesEnd - at < 3) {
      // RFC 7606 §4: an attribute header cut by the end of the field is treat-as-withdraw.
      problems.push({ action: 'treat-as-withdraw', attributeType: 0, reason: 'truncated attribute header' });
      break;
    }
    const flags = buf[at] ?? 0;
    const code = buf[at + 1] ?? 0;
    const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
    if (extended && attributesEnd - at < 4) {
      problems.push({
        action: 'treat-as-withdraw',
        attributeType: code,
        reason: 'truncated attribute header',
      });
      break;
    }
    const length = extended ? readU16(buf, at + 2) : (buf[at + 2] ?? 0);
    const valueStart = at + (extended ? 4 : 3);
    if (valueStart + length > attributesEnd) {
      // RFC 7606 §4: the rest of the attribute field cannot be parsed; MP attributes found so far stand.
      problems.push({
        action: 'treat-as-withdraw',
        attributeType: code,
        reason: 'attribute overruns the field',
      });
      break;
    }
    at = valueStart + length;
    if (seen.has(code)) {
      // RFC 7606 §3g.
      if (code === AttributeType.MpReachNlri || code === AttributeType.MpUnreachNlri) {
        throw malformedList(`attribute ${code} appears twice`);
      }
      problems.push({ action: 'attribute-discard', attributeType: code, reason: 'duplicate attribute' });
      continue;
    }
    seen.add(code);
    const decoded = decodeAttributeValue(
      flags & ~AttributeFlag.EXTENDED_LENGTH,
      code,
      buf,
      valueStart,
      length,
      ctx,
    );
    if (decoded.problem !== undefined) {
      problems.push(decoded.problem);
      continue;
    }
    const attribute = decoded.attribute;
    if (extended && length <= 255) attribute.extendedLength = true;
    attributes.push(attribute);
  }

  // RFC 7606 §3d: a missing well-known mandatory attribute makes the announced prefixes treat-as-withdraw.
  const announces = nlri.length > 0 || attributes.some((a) => a.type === 'mp-reach');
  if (announces) {
    const present = new Set(attributes.map(attributeTypeCode));
    const required: number[] = [AttributeType.Origin, AttributeType.AsPath];
    if (nlri.length > 0) required.push(AttributeType.NextHop);
    for (const code of required) {
      if (!present.has(code) && !problems.some((p) => p.attributeType === code)) {
        problems.push({
          action: 'treat-as-withdraw',
          attributeType: code,
          reason: `missing well-known attribute ${code}`,
        });
      }
    }
  }
  const value: UpdateMessage = { type: 'update', withdrawn, attributes, nlri };
  if (problems.length > 0) value.problems = problems;
  return { value, bytes: end - offset };
}
