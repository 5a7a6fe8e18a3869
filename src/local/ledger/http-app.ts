import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { parseBlobId } from '../../codec/blob-id.ts';
import { errorBody } from '../../errors/error-body.ts';
import { blobIdStatus, isLive } from './blob-status.ts';
import { DOMAIN_LEDGER, LedgerError, ledgerErrorResponse } from './errors.ts';
import { isCanonicalObjectId, isTransactionDigest } from './ids.ts';
import type { Ledger } from './ledger.ts';
import {
  type BalanceJson,
  type BlobIdStatusResponseJson,
  type BlobObjectJson,
  type EpochJson,
  type FaucetResponseJson,
  type NetworkJson,
  type OwnedBlobsJson,
  type TransactionLookupJson,
  type TransactionResponseJson,
  blobObjectJson,
  networkJson,
  registrationJson,
  transactionLookupJson,
  transactionResponseJson,
} from './wire-json.ts';
import type { SignedTransactionJson } from './wire-transactions.ts';

/** Transactions are small JSON documents; attributes are capped at 64 KiB before base64. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface LedgerAppOptions {
  readonly ledger: Ledger;
  /** The URL clients reach this ledger at, reported by `GET /v1/network`. */
  readonly ledgerUrl: () => string;
  readonly logger?: FastifyBaseLogger;
}

/**
 * The ledger's HTTP API: reads of the system state, signed transactions, and loopback-only
 * admin routes (faucet, epoch advance). Every error is an AIP-193 body in `ledger.walrus.local`.
 */
export function buildLedgerApp({ ledger, ledgerUrl, logger }: LedgerAppOptions): FastifyInstance {
  const app = logger
    ? Fastify({ loggerInstance: logger, bodyLimit: BODY_LIMIT_BYTES })
    : Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  const view = ledger.view;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof LedgerError) {
      const { statusCode, body } = ledgerErrorResponse(error);
      return reply.code(statusCode).send(body);
    }
    if (error.validation || (error.statusCode !== undefined && error.statusCode < 500)) {
      // Fastify's own client errors (schema, body size, content type) keep their HTTP status.
      const statusCode = error.statusCode ?? 400;
      return reply.code(statusCode).send(errorBody('INVALID_ARGUMENT', error.message, { reason: 'INVALID_REQUEST', domain: DOMAIN_LEDGER }, statusCode));
    }
    request.log.error({ err: error }, 'ledger request failed');
    const { statusCode, body } = ledgerErrorResponse(new LedgerError('INTERNAL', 'internal error'));
    return reply.code(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { statusCode, body } = ledgerErrorResponse(new LedgerError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url}`));
    return reply.code(statusCode).send(body);
  });

  app.get('/v1/health', async () => ({ status: 'ok', epoch: view.epoch }));

  app.get('/v1/network', async (): Promise<NetworkJson> => networkJson(view, ledgerUrl(), ledger.epochDurationMs));

  app.get<{ Params: { blobId: string } }>('/v1/blob-ids/:blobId', async (request): Promise<BlobIdStatusResponseJson> => {
    const { blobId } = request.params;
    try {
      parseBlobId(blobId);
    } catch (error) {
      throw new LedgerError('INVALID_REQUEST', (error as Error).message);
    }
    const blobs = view.blobsWithBlobId(blobId);
    return {
      blobId,
      status: blobIdStatus(blobs, view.epoch),
      registrations: blobs.filter((blob) => isLive(blob, view.epoch)).map(registrationJson),
    };
  });

  app.get<{ Params: { objectId: string } }>('/v1/blob-objects/:objectId', async (request): Promise<BlobObjectJson> => {
    const objectId = canonicalId(request.params.objectId, 'object ID');
    const blob = view.blob(objectId);
    if (!blob) throw new LedgerError('OBJECT_NOT_FOUND', `no blob object or shared blob ${objectId}`);
    return blobObjectJson(blob);
  });

  app.get<{ Params: { address: string } }>('/v1/accounts/:address', async (request): Promise<BalanceJson> => {
    const address = canonicalId(request.params.address, 'address');
    return { address, balance: String(view.balanceOf(address)) };
  });

  app.get<{ Params: { address: string }; Querystring: { blobId?: string } }>(
    '/v1/accounts/:address/blob-objects',
    { schema: { querystring: { type: 'object', properties: { blobId: { type: 'string' } } } } },
    async (request): Promise<OwnedBlobsJson> => {
      const address = canonicalId(request.params.address, 'address');
      return { address, blobObjects: view.blobsOwnedBy(address, request.query.blobId).map(blobObjectJson) };
    },
  );

  app.post<{ Body: SignedTransactionJson }>(
    '/v1/transactions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['transaction', 'signature'],
          properties: { transaction: { type: 'string' }, signature: { type: 'string' } },
        },
      },
    },
    async (request): Promise<TransactionResponseJson> => {
      const bytes = Buffer.from(request.body.transaction, 'base64');
      if (bytes.toString('base64') !== request.body.transaction) throw new LedgerError('INVALID_REQUEST', 'transaction must be canonical padded base64');
      const effects = await ledger.submitTransaction(new Uint8Array(bytes), request.body.signature);
      return transactionResponseJson(effects);
    },
  );

  app.post<{ Body: { address: string; amount: string | number } }>(
    '/v1/faucet',
    {
      schema: {
        body: {
          type: 'object',
          required: ['address', 'amount'],
          properties: { address: { type: 'string' }, amount: { anyOf: [{ type: 'string', pattern: '^[0-9]{1,20}$' }, { type: 'integer', minimum: 1 }] } },
        },
      },
    },
    async (request): Promise<FaucetResponseJson> => {
      requireLoopback(request);
      const amount = BigInt(request.body.amount);
      const balance = await ledger.faucet(request.body.address, amount);
      return { address: request.body.address, amount: String(amount), balance: String(balance) };
    },
  );

  app.get<{ Params: { digest: string } }>('/v1/transactions/:digest', async (request): Promise<TransactionLookupJson> => {
    const { digest } = request.params;
    if (!isTransactionDigest(digest)) throw new LedgerError('INVALID_REQUEST', `${JSON.stringify(digest.slice(0, 64))} is not a transaction digest (base58 of 32 bytes)`);
    const executed = view.transaction(digest);
    if (!executed) throw new LedgerError('TRANSACTION_NOT_FOUND', `no transaction ${digest}`);
    return transactionLookupJson(executed);
  });

  app.post('/v1/admin/advance-epoch', async (request): Promise<EpochJson> => {
    requireLoopback(request);
    return ledger.advanceEpoch();
  });

  return app;
}

function canonicalId(value: string, what: string): string {
  if (!isCanonicalObjectId(value)) throw new LedgerError('INVALID_REQUEST', `${what} ${JSON.stringify(value)} is not 0x + 64 lowercase hex digits`);
  return value;
}

function requireLoopback(request: FastifyRequest): void {
  const remote = request.socket.remoteAddress;
  if (remote === undefined || !LOOPBACK_ADDRESSES.has(remote)) throw new LedgerError('LOOPBACK_ONLY', `${request.url} only answers loopback clients`);
}
