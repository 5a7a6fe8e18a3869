/**
 * Counters of storage-node requests by outcome, and of faulty answers by node (which node
 * misbehaves, and how; only faults carry the node label, to keep the series few). The read side
 * and the publisher each keep one set, under their own metric names.
 */
import { Counter, type Registry } from 'prom-client';
import { isFaultLabel, type RequestCounter } from './node-outcome.ts';

export interface NodeRequestMetricNames {
  readonly requests: string;
  readonly faults: string;
  /** Whose requests, for the help text: "the aggregator's", "the publisher's". */
  readonly whose: string;
}

export class NodeRequestMetrics {
  readonly requests: Counter<'kind' | 'outcome'>;
  readonly faults: Counter<'node' | 'fault'>;

  constructor(registry: Registry, names: NodeRequestMetricNames) {
    const registers = [registry];
    this.requests = new Counter({ name: names.requests, help: `Storage-node requests of ${names.whose} by kind and outcome (ok, refused, or the fault)`, labelNames: ['kind', 'outcome'], registers });
    this.faults = new Counter({ name: names.faults, help: `Faulty storage-node answers to ${names.whose} by node and fault`, labelNames: ['node', 'fault'], registers });
  }

  /** The counter to hand to a committee's node clients. */
  readonly count: RequestCounter = (kind, outcome, node) => {
    this.requests.inc({ kind, outcome });
    if (isFaultLabel(outcome)) this.faults.inc({ node, fault: outcome });
  };
}
