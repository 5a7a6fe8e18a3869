/**
 * What one request to a storage node came to. Every byte a node sends is hostile input: the client
 * turns whatever happened on the wire into exactly one of these values and never throws, so a
 * fan-out over a committee can count a byzantine minority by weight instead of dying of it.
 */

/**
 * Why a node's answer cannot be used at all. `transport`: reset, refused, truncated body, TLS;
 * `timeout`: no answer or a stalled body within the node timeout; `status`: a 5xx, 1xx, 204 or any
 * code the route never answers; `redirect`: a 3xx (never followed: the committee names the node's
 * address, not the node); `oversized`: more bytes than the route can need; `malformed`: the body is
 * not the route's type.
 */
export const NODE_FAULTS = ['transport', 'timeout', 'status', 'redirect', 'oversized', 'malformed'] as const;
export type NodeFault = (typeof NODE_FAULTS)[number];

export type NodeOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  /** A well-formed 4xx: the node is up and says no (404 not found, 451 blocked, 400 with a reason). */
  | { readonly kind: 'refused'; readonly statusCode: number; readonly reason: string | undefined; readonly detail: string }
  /** `cause`: the transport's own error, for logs (a TLS pin mismatch, a reset). */
  | { readonly kind: 'faulty'; readonly fault: NodeFault; readonly detail: string; readonly cause?: unknown }
  /** We cancelled it (the client left, or the fan-out had enough). */
  | { readonly kind: 'aborted' };

export type NodeRequestKind = 'metadata' | 'sliver' | 'status' | 'putMetadata' | 'putSliver' | 'confirmation';

/** The label a request's outcome is counted under: `ok`, `aborted`, `notFound`, `forbidden`, `refused`, or the fault. */
export type OutcomeLabel = 'ok' | 'aborted' | 'notFound' | 'forbidden' | 'refused' | NodeFault;

/** Counts one request's outcome; `node` is the committee member's name, for telling which node misbehaves. */
export interface RequestCounter {
  (kind: NodeRequestKind, outcome: OutcomeLabel, node: string): void;
}

const FAULT_LABELS: ReadonlySet<OutcomeLabel> = new Set<OutcomeLabel>(NODE_FAULTS);

/** Whether an outcome label names a fault (the node, not the request, was at fault). */
export function isFaultLabel(label: OutcomeLabel): label is NodeFault {
  return FAULT_LABELS.has(label);
}

const HTTP_NOT_FOUND = 404;
const HTTP_UNAVAILABLE_FOR_LEGAL_REASONS = 451;

export function isNotFound(outcome: NodeOutcome<unknown>): boolean {
  return outcome.kind === 'refused' && outcome.statusCode === HTTP_NOT_FOUND;
}

export function isForbidden(outcome: NodeOutcome<unknown>): boolean {
  return outcome.kind === 'refused' && outcome.statusCode === HTTP_UNAVAILABLE_FOR_LEGAL_REASONS;
}

export function outcomeLabel(outcome: NodeOutcome<unknown>): OutcomeLabel {
  if (outcome.kind === 'faulty') return outcome.fault;
  if (outcome.kind !== 'refused') return outcome.kind;
  if (isNotFound(outcome)) return 'notFound';
  return isForbidden(outcome) ? 'forbidden' : 'refused';
}

/** One line for logs and error details. */
export function describeOutcome(node: string, outcome: NodeOutcome<unknown>): string {
  switch (outcome.kind) {
    case 'ok':
      return `${node}: ok`;
    case 'aborted':
      return `${node}: aborted`;
    case 'refused':
      return `${node}: refused (${outcome.statusCode}${outcome.reason ? ` ${outcome.reason}` : ''}): ${outcome.detail}`;
    case 'faulty':
      return `${node}: ${outcome.fault}: ${outcome.detail}`;
  }
}

/** Failures quoted in an error's detail; the rest are in the log and the metrics. */
const QUOTED_FAILURES = 5;

/** The first few failures of a fan-out, for the detail of its outcome. */
export function quoteFailures(failures: readonly string[]): string {
  return failures.slice(0, QUOTED_FAILURES).join('; ');
}
