import Fastify, { type FastifyInstance } from 'fastify';
import { errorBody } from '../errors/error-body.ts';
import { HOSTILE_KINDS_RULE, isHostileKindList } from './storage-node/node-faults.ts';
import type { NodeFaults, StorageNodeServer } from './storage-node/storage-node-server.ts';

export interface ControlServerOptions {
  readonly host: string;
  readonly port: number;
  readonly nodes: readonly StorageNodeServer[];
}

/** One fault field's check: undefined when the value fits, else what the value must be. */
type FaultCheck = (value: unknown) => string | undefined;

const BOOLEAN: FaultCheck = (value) => (typeof value === 'boolean' ? undefined : 'a boolean');
const NON_NEGATIVE_NUMBER: FaultCheck = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : 'a non-negative number';
const HOSTILE_KIND_LIST: FaultCheck = (value) => (isHostileKindList(value) ? undefined : HOSTILE_KINDS_RULE);

const FAULT_FIELDS: Record<keyof NodeFaults, FaultCheck> = {
  corruptSlivers: BOOLEAN,
  corruptMetadata: BOOLEAN,
  latencyMs: NON_NEGATIVE_NUMBER,
  withholdConfirmations: BOOLEAN,
  invalidConfirmationSignatures: BOOLEAN,
  hostile: BOOLEAN,
  hostileKinds: HOSTILE_KIND_LIST,
};

const CONTROL_DOMAIN = 'control.walrus.local';

function isFaultField(key: string): key is keyof NodeFaults {
  return Object.hasOwn(FAULT_FIELDS, key);
}

/** Validates a faults patch: only known fields, each passing its check. */
function parseFaults(body: unknown): Partial<NodeFaults> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const faults: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!isFaultField(key)) return `unknown fault ${JSON.stringify(key)}; known: ${Object.keys(FAULT_FIELDS).join(', ')}`;
    const expected = FAULT_FIELDS[key](value);
    if (expected !== undefined) return `${key} must be ${expected}`;
    faults[key] = value;
  }
  // Every field passed the check for its own key above.
  return faults as Partial<NodeFaults>;
}

/**
 * Fault controls for tests, on loopback only: stop and start a storage node, and make it corrupt,
 * slow, stingy with confirmations, or outright hostile — the failures a gateway must survive on a
 * real network.
 */
export class ControlServer {
  private readonly app: FastifyInstance;
  private address = '';

  constructor(private readonly options: ControlServerOptions) {
    this.app = Fastify();
    const byName = new Map(options.nodes.map((node) => [node.name, node]));
    const notFound = (name: string) => errorBody('NOT_FOUND', `no node named ${name}`, { reason: 'NODE_NOT_FOUND', domain: CONTROL_DOMAIN });

    this.app.get('/v1/nodes', async () => options.nodes.map((node) => ({ name: node.name, url: node.url, running: node.running })));
    this.app.post<{ Params: { name: string; action: string } }>('/v1/nodes/:name/:action', async (request, reply) => {
      const node = byName.get(request.params.name);
      if (!node) return reply.code(404).send(notFound(request.params.name));
      if (request.params.action === 'stop') await node.stop();
      else if (request.params.action === 'start') await node.start();
      else {
        return reply
          .code(404)
          .send(errorBody('NOT_FOUND', `unknown action ${request.params.action}; use stop or start`, { reason: 'UNKNOWN_ACTION', domain: CONTROL_DOMAIN }));
      }
      return { name: node.name, running: node.running };
    });
    this.app.put<{ Params: { name: string } }>('/v1/nodes/:name/faults', async (request, reply) => {
      const node = byName.get(request.params.name);
      if (!node) return reply.code(404).send(notFound(request.params.name));
      const faults = parseFaults(request.body);
      if (typeof faults === 'string') {
        return reply.code(400).send(errorBody('INVALID_ARGUMENT', faults, { reason: 'INVALID_FAULTS', domain: CONTROL_DOMAIN }));
      }
      node.setFaults(faults);
      return { name: node.name, faults };
    });
  }

  get url(): string {
    return this.address;
  }

  async start(): Promise<void> {
    this.address = await this.app.listen({ host: this.options.host, port: this.options.port });
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
