// kubectl sends the bodies of its typed create commands (`create namespace`, `create deployment`,
// `create secret`, `create configmap`, `create service`) as Kubernetes protobuf, whatever the
// server advertises. This decodes that envelope (magic "k8s\0" + runtime.Unknown) for the kinds
// those commands produce, field numbers from k8s.io/api's generated.proto. Fields outside the
// tables are skipped; zero values are dropped as Go's `omitempty` JSON would drop them.
import type { JsonObject } from './json.js';

type FieldKind =
  | 'string'
  | 'int'
  | 'bool'
  | 'bytes'
  | 'time'
  | 'intOrString'
  | { message: string }
  | { map: 'string' | 'bytes' };

interface Field {
  readonly name: string;
  readonly kind: FieldKind;
  readonly repeated?: boolean;
  /** Pointer fields in Go: kept even when zero (replicas: 0). */
  readonly keepZero?: boolean;
}

const f = (name: string, kind: FieldKind, extra: Partial<Field> = {}): Field => ({ name, kind, ...extra });
const msg = (message: string): FieldKind => ({ message });

const MESSAGES: Record<string, Record<number, Field>> = {
  ObjectMeta: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int'),
    8: f('creationTimestamp', 'time'),
    11: f('labels', { map: 'string' }),
    12: f('annotations', { map: 'string' }),
    14: f('finalizers', 'string', { repeated: true }),
  },
  LabelSelector: {
    1: f('matchLabels', { map: 'string' }),
    2: f('matchExpressions', msg('LabelSelectorRequirement'), { repeated: true }),
  },
  LabelSelectorRequirement: {
    1: f('key', 'string'),
    2: f('operator', 'string'),
    3: f('values', 'string', { repeated: true }),
  },
  Namespace: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('NamespaceSpec')) },
  NamespaceSpec: { 1: f('finalizers', 'string', { repeated: true }) },
  Deployment: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('DeploymentSpec')) },
  DeploymentSpec: {
    1: f('replicas', 'int', { keepZero: true }),
    2: f('selector', msg('LabelSelector')),
    3: f('template', msg('PodTemplateSpec')),
    4: f('strategy', msg('DeploymentStrategy')),
    5: f('minReadySeconds', 'int'),
    6: f('revisionHistoryLimit', 'int', { keepZero: true }),
    7: f('paused', 'bool'),
    9: f('progressDeadlineSeconds', 'int', { keepZero: true }),
  },
  DeploymentStrategy: { 1: f('type', 'string') },
  PodTemplateSpec: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('PodSpec')) },
  PodSpec: {
    2: f('containers', msg('Container'), { repeated: true }),
    3: f('restartPolicy', 'string'),
    7: f('nodeSelector', { map: 'string' }),
    8: f('serviceAccountName', 'string'),
    10: f('nodeName', 'string'),
    11: f('hostNetwork', 'bool'),
    20: f('initContainers', msg('Container'), { repeated: true }),
  },
  Container: {
    1: f('name', 'string'),
    2: f('image', 'string'),
    3: f('command', 'string', { repeated: true }),
    4: f('args', 'string', { repeated: true }),
    5: f('workingDir', 'string'),
    6: f('ports', msg('ContainerPort'), { repeated: true }),
    7: f('env', msg('EnvVar'), { repeated: true }),
    8: f('resources', msg('Empty')),
    14: f('imagePullPolicy', 'string'),
  },
  Empty: {},
  ContainerPort: {
    1: f('name', 'string'),
    2: f('hostPort', 'int'),
    3: f('containerPort', 'int'),
    4: f('protocol', 'string'),
    5: f('hostIP', 'string'),
  },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  Service: { 1: f('metadata', msg('ObjectMeta')), 2: f('spec', msg('ServiceSpec')) },
  ServiceSpec: {
    1: f('ports', msg('ServicePort'), { repeated: true }),
    2: f('selector', { map: 'string' }),
    3: f('clusterIP', 'string'),
    4: f('type', 'string'),
    5: f('externalIPs', 'string', { repeated: true }),
    7: f('sessionAffinity', 'string'),
    8: f('loadBalancerIP', 'string'),
    10: f('externalName', 'string'),
    11: f('externalTrafficPolicy', 'string'),
  },
  ServicePort: {
    1: f('name', 'string'),
    2: f('protocol', 'string'),
    3: f('port', 'int'),
    4: f('targetPort', 'intOrString'),
    5: f('nodePort', 'int'),
  },
  Secret: {
    1: f('metadata', msg('ObjectMeta')),
    2: f('data', { map: 'bytes' }),
    3: f('type', 'string'),
    4: f('stringData', { map: 'string' }),
    5: f('immutable', 'bool', { keepZero: true }),
  },
  ConfigMap: {
    1: f('metadata', msg('ObjectMeta')),
    2: f('data', { map: 'string' }),
    3: f('binaryData', { map: 'bytes' }),
    4: f('immutable', 'bool', { keepZero: true }),
  },
};

export class ProtobufError extends Error {}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.buf[this.pos++] ?? 0;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtobufError('varint too long');
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new ProtobufError('length past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new ProtobufError(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new ProtobufError('field past the end of the message');
  }
}

const utf8 = new TextDecoder();

function fields(buf: Uint8Array): { no: number; wire: number; reader: Reader }[] {
  const r = new Reader(buf);
  const out: { no: number; wire: number; reader: Reader }[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    out.push({ no: Math.floor(tag / 8), wire: tag % 8, reader: r });
    const start = r.pos;
    r.skip(tag % 8);
    // Remember where the value was so decoders can re-read it.
    out[out.length - 1] = {
      no: Math.floor(tag / 8),
      wire: tag % 8,
      reader: Object.assign(new Reader(buf, r.pos), { pos: start }),
    };
  }
  return out;
}

function decodeMessage(type: string, buf: Uint8Array): JsonObject {
  const schema = MESSAGES[type] ?? {};
  const out: JsonObject = {};
  for (const { no, wire, reader } of fields(buf)) {
    const field = schema[no];
    if (field === undefined) continue;
    const value = decodeValue(field.kind, wire, reader);
    if (field.repeated === true) {
      const list = Array.isArray(out[field.name]) ? (out[field.name] as unknown[]) : [];
      list.push(value);
      out[field.name] = list;
    } else if (typeof field.kind === 'object' && 'map' in field.kind) {
      const [k, v] = value as [string, unknown];
      const map = (out[field.name] as JsonObject | undefined) ?? {};
      map[k] = v;
      out[field.name] = map;
    } else if (field.keepZero === true || !isZero(value)) {
      out[field.name] = value;
    }
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === undefined;
}

function decodeValue(kind: FieldKind, wire: number, r: Reader): unknown {
  switch (kind) {
    case 'string':
      return utf8.decode(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int': {
      const v = r.varint();
      // int32/int64 negatives arrive as 10-byte two's complement varints.
      return v >= 2 ** 63 ? v - 2 ** 64 : v;
    }
    case 'bool':
      return r.varint() !== 0;
    case 'time': {
      const t = decodeRaw(r.bytes());
      const seconds = t.get(1) ?? 0;
      return seconds === 0
        ? undefined
        : new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'intOrString': {
      const t = decodeRaw(r.bytes());
      return t.get(1) === 1 ? String(t.get(3) ?? '') : Number(t.get(2) ?? 0);
    }
    default:
      if ('message' in kind) {
        if (wire !== 2) throw new ProtobufError('expected a length-delimited message');
        return decodeMessage(kind.message, r.bytes());
      }
      return decodeMapEntry(kind.map, r.bytes());
  }
}

/** Scalar fields of a small message, by number (strings decoded as text). */
function decodeRaw(buf: Uint8Array): Map<number, number | string> {
  const out = new Map<number, number | string>();
  for (const { no, wire, reader } of fields(buf)) {
    if (wire === 0) out.set(no, reader.varint());
    else if (wire === 2) out.set(no, utf8.decode(reader.bytes()));
  }
  return out;
}

function decodeMapEntry(valueKind: 'string' | 'bytes', buf: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const { no, reader } of fields(buf)) {
    if (no === 1) key = utf8.decode(reader.bytes());
    else if (no === 2)
      value =
        valueKind === 'bytes' ? Buffer.from(reader.bytes()).toString('base64') : utf8.decode(reader.bytes());
  }
  return [key, value];
}

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf request body to the JSON object it stands for. */
export function decodeKubernetesProtobuf(body: Uint8Array): JsonObject {
  if (body.length < 4 || body[0] !== 0x6b || body[1] !== 0x38 || body[2] !== 0x73 || body[3] !== 0) {
    throw new ProtobufError('missing the "k8s\\0" protobuf prefix');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array();
  for (const { no, reader } of fields(body.subarray(4))) {
    if (no === 1) {
      const meta = decodeRaw(reader.bytes());
      apiVersion = String(meta.get(1) ?? '');
      kind = String(meta.get(2) ?? '');
    } else if (no === 2) raw = reader.bytes();
  }
  if (MESSAGES[kind] === undefined)
    throw new ProtobufError(`protobuf bodies of kind ${kind} are not supported: send JSON`);
  return { apiVersion, kind, ...decodeMessage(kind, raw) };
}
