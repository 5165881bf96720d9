import type { JsonObject } from './json.js';

/** One field-level reason, as in metav1.StatusCause. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/**
 * An API failure the client must see as a Kubernetes `Status`. Handlers throw it and the HTTP
 * boundary turns it into the response, so deep helpers (patching, admission) need no plumbing.
 */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }

  toStatus(): JsonObject {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): JsonObject {
  const status: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    code,
  };
  if (reason !== '') status.reason = reason;
  if (details !== undefined) status.details = details;
  return status;
}

export interface ResourceRef {
  readonly group: string;
  readonly resource: string;
  readonly kind?: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group === '' ? ref.resource : `${ref.resource}.${ref.group}`;
}

export function notFound(ref: ResourceRef, name: string): ApiStatusError {
  return new ApiStatusError(404, 'NotFound', `${qualified(ref)} "${name}" not found`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

export function alreadyExists(ref: ResourceRef, name: string): ApiStatusError {
  return new ApiStatusError(409, 'AlreadyExists', `${qualified(ref)} "${name}" already exists`, {
    name,
    group: ref.group,
    kind: ref.resource,
  });
}

export function conflict(ref: ResourceRef, name: string, why: string): ApiStatusError {
  return new ApiStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`,
    { name, group: ref.group, kind: ref.resource },
  );
}

export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: readonly StatusCause[],
): ApiStatusError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  return new ApiStatusError(422, 'Invalid', `${kind}.${group || 'core'} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes,
  });
}

export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError(400, 'BadRequest', message);
}

export function gone(message: string): ApiStatusError {
  return new ApiStatusError(410, 'Expired', message);
}

export function methodNotAllowed(message: string): ApiStatusError {
  return new ApiStatusError(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(contentType: string): ApiStatusError {
  return new ApiStatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`,
  );
}
