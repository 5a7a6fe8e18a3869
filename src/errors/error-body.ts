/**
 * The AIP-193 error body every Walrus HTTP service answers with (storage nodes, the reference
 * publisher and aggregator):
 * `{"error":{"code","status","message","details":[{"@type":"ErrorInfo","reason","domain","metadata"}]}}`.
 */
/**
 * Status names and the HTTP code each stands for: exactly the pairs the Rust SDK's parser accepts
 * (`StatusCode` in crates/walrus-storage-node-client/src/api/errors.rs; any other pair is refused).
 * The body's `code` is the status's; the response's own status line may differ where HTTP has a
 * more precise code (413, 405, 408, 501), as AIP-193 ties `code` to `status`, not to the response.
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
