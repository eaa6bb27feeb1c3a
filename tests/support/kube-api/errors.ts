// Kubernetes answers every failure with a meta/v1 Status body; clients (kubectl,
// @kubernetes/client-node) read `reason` and `message` from it, so the stand-in does too.

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field: string }[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function reasonFor(code: number): string {
  return reasons[code] ?? 'Unknown';
}

export function statusBody(code: number, message: string, reason = reasonFor(code), details?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** Thrown anywhere in request handling; the server turns it into a Status response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason = reasonFor(code),
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    return statusBody(this.code, this.message, this.reason, this.details);
  }
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}
