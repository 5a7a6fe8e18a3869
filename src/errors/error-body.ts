/**
 * The AIP-193 error body every Walrus HTTP service answers with (storage nodes, the reference
 * publisher and aggregator):
 * `{"error":{"code","status","message","details":[{"@type":"ErrorInfo","reason","domain","metadata"}]}}`.
 */
export const ERROR_STATUS_CODES = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  SIZE_EXCEEDED: 403,
  NOT_FOUND: 404,
  RANGE_NOT_SATISFIABLE: 416,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE_FOR_LEGAL_REASONS: 451,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;

export type ErrorStatus = keyof typeof ERROR_STATUS_CODES;

export const DOMAIN_STORAGE_NODE = 'storage.walrus.space';
export const DOMAIN_DAEMON = 'daemon.walrus.space';
export const DOMAIN_GLOBAL = 'global';

export interface ErrorInfo {
  readonly reason: string;
  readonly domain: string;
  readonly metadata?: Record<string, string>;
}

export interface ErrorBody {
  error: {
    code: number;
    status: ErrorStatus;
    message: string;
    details: { '@type': 'ErrorInfo'; reason: string; domain: string; metadata: Record<string, string> }[];
  };
}

/** Builds the body; `code` is the HTTP status, normally the one `status` maps to. */
export function errorBody(status: ErrorStatus, message: string, info?: ErrorInfo, code: number = ERROR_STATUS_CODES[status]): ErrorBody {
  return {
    error: {
      code,
      status,
      message,
      details: info ? [{ '@type': 'ErrorInfo', reason: info.reason, domain: info.domain, metadata: info.metadata ?? {} }] : [],
    },
  };
}
