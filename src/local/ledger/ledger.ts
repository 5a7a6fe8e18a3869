import { join } from 'node:path';
import { verifyPersonalMessageSignature } from '@mysten/sui/verify';
import { DurableLog, LogWriteFailedError } from './durable-log.ts';
import { LedgerError } from './errors.ts';
import { changedSystemParameters, committeeFromGenesis, nodeAddressChanges } from './genesis.ts';
import { isCanonicalObjectId, transactionDigest } from './ids.ts';
import { type LedgerView, LedgerState } from './ledger-state.ts';
import type { Genesis, LedgerRecord, TransactionEffects } from './model.ts';
import { decodeRecord, encodeRecord } from './record-codec.ts';
import { planTransaction } from './rules.ts';
import { parseTransactionPayload } from './wire-transactions.ts';

export const LEDGER_LOG_FILE = 'ledger.log';
/** A transaction must expire within this window, which bounds how long its digest is remembered. */
export const MAX_TRANSACTION_VALIDITY_MS = 10 * 60_000;
const MAX_U64 = (1n << 64n) - 1n;

/** The subset of a pino/Fastify logger the ledger writes to. */
export interface LedgerLogger {
  info(details: object, message?: string): void;
  warn(details: object, message?: string): void;
  error(details: object, message?: string): void;
}

const silentLogger: LedgerLogger = { info() {}, warn() {}, error() {} };

export interface LedgerOptions {
  readonly dataDir: string;
  /** Required when `dataDir` holds no ledger yet; later checked against the stored one. */
  readonly genesis?: Genesis;
  /** Overrides the genesis epoch duration for this run; 0 advances epochs only by hand. */
  readonly epochDurationMs?: number;
  readonly logger?: LedgerLogger;
  /** Clock for epoch start times and transaction expiry. */
  readonly now?: () => number;
}

export class MissingGenesisError extends Error {
  constructor(dataDir: string) {
    super(`the ledger data directory ${dataDir} is empty and no genesis was given`);
    this.name = 'MissingGenesisError';
  }
}

/**
 * The ledger: its state, rebuilt from the durable log at open, and the only way to change it.
 * Writes run one at a time: a change is planned against the state, appended and fsynced to the
 * log, and only then applied, so readers only ever see acknowledged state.
 */
export class Ledger {
  private readonly state = new LedgerState();
  private writes: Promise<void> = Promise.resolve();
  private epochTimer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly epochDurationMs: number;

  private constructor(
    private readonly log: DurableLog,
    private readonly logger: LedgerLogger,
    private readonly now: () => number,
    epochDurationMs: number | undefined,
    records: readonly Uint8Array[],
  ) {
    for (const bytes of records) this.state.apply(decodeRecord(bytes));
    this.epochDurationMs = epochDurationMs ?? this.state.epochDurationMs;
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    const logger = options.logger ?? silentLogger;
    const { log, records, droppedTailBytes } = await DurableLog.open(join(options.dataDir, LEDGER_LOG_FILE));
    try {
      if (droppedTailBytes > 0) logger.warn({ droppedTailBytes }, 'dropped a torn, unacknowledged record at the end of the ledger log');
      const ledger = new Ledger(log, logger, options.now ?? Date.now, options.epochDurationMs, records);
      await ledger.initialize(options);
      logger.info({ records: records.length, epoch: ledger.state.epoch }, 'ledger opened');
      return ledger;
    } catch (error) {
      await log.close();
      throw error;
    }
  }

  private async initialize({ dataDir, genesis, epochDurationMs }: LedgerOptions): Promise<void> {
    if (epochDurationMs !== undefined && (!Number.isSafeInteger(epochDurationMs) || epochDurationMs < 0)) {
      throw new RangeError(`epochDurationMs must be a non-negative integer, not ${epochDurationMs}`);
    }
    if (!this.state.hasGenesis) {
      if (!genesis) throw new MissingGenesisError(dataDir);
      committeeFromGenesis(genesis);
      await this.commit({ type: 'genesis', genesis, startedAtMs: this.now() });
      return;
    }
    // Replayed transactions past their expiry need not be remembered.
    this.state.forgetExpiredTransactions(this.now());
    if (genesis) {
      const moved = nodeAddressChanges(this.state.committee, genesis);
      if (moved.length > 0) await this.commit({ type: 'nodeAddresses', nodes: moved });
      const ignored = changedSystemParameters(this.state, genesis);
      if (ignored.length > 0) this.logger.warn({ ignored }, 'the genesis given differs from the stored one in these parameters; the stored values stay');
    }
  }

  get view(): LedgerView {
    return this.state;
  }

  /**
   * Verifies and executes a signed transaction; resolves with its effects once they are durable.
   * A transaction already executed (same signed bytes) is answered with its original effects.
   */
  async submitTransaction(transactionBytes: Uint8Array, signature: string): Promise<TransactionEffects> {
    const parsed = parseTransactionPayload(transactionBytes);
    try {
      await verifyPersonalMessageSignature(transactionBytes, signature, { address: parsed.sender });
    } catch (error) {
      throw new LedgerError('INVALID_TRANSACTION_SIGNATURE', `the signature is not ${parsed.sender}'s: ${(error as Error).message}`);
    }
    const digest = transactionDigest(transactionBytes);
    return this.serialize(async () => {
      const now = this.now();
      this.state.forgetExpiredTransactions(now);
      const executed = this.state.recentTransaction(digest);
      if (executed) return executed;
      if (parsed.expiresAtMs <= now) throw new LedgerError('TRANSACTION_EXPIRED', `the transaction expired at ${parsed.expiresAtMs}`);
      if (parsed.expiresAtMs > now + MAX_TRANSACTION_VALIDITY_MS) {
        throw new LedgerError('TRANSACTION_EXPIRED', `the transaction must expire within ${MAX_TRANSACTION_VALIDITY_MS} ms`);
      }
      const context = { digest, sender: parsed.sender, expiresAtMs: parsed.expiresAtMs, executedAtMs: now, pureInputs: parsed.pureInputs };
      const effects = planTransaction(this.state, context, parsed.call);
      await this.commit({ type: 'transaction', effects });
      return effects;
    });
  }

  /** Development faucet: mints `amount` FROST to `address`; resolves with the new balance. */
  async faucet(address: string, amount: bigint): Promise<bigint> {
    if (!isCanonicalObjectId(address)) throw new LedgerError('INVALID_REQUEST', 'address must be 0x + 64 lowercase hex digits');
    if (amount <= 0n || amount > MAX_U64) throw new LedgerError('INVALID_REQUEST', 'amount must be a positive u64');
    return this.serialize(async () => {
      if (this.state.balanceOf(address) + amount > MAX_U64) throw new LedgerError('INVALID_REQUEST', 'the balance would exceed a u64');
      await this.commit({ type: 'faucet', address, amount });
      return this.state.balanceOf(address);
    });
  }

  /** Starts the next epoch now; blobs ending at it stop being live. */
  async advanceEpoch(): Promise<{ epoch: number; startedAtMs: number }> {
    const started = await this.serialize(async () => {
      await this.commit({ type: 'epoch', epoch: this.state.epoch + 1, startedAtMs: this.now() });
      return { epoch: this.state.epoch, startedAtMs: this.state.epochStartedAtMs };
    });
    this.logger.info(started, 'epoch advanced');
    if (this.epochTimer) this.scheduleEpochAdvance();
    return started;
  }

  /**
   * Advances epochs every `epochDurationMs`. The current epoch keeps its schedule across a quick
   * restart; after a long downtime it ends at once, and the next one gets a full duration.
   */
  startEpochTimer(): void {
    if (this.epochDurationMs > 0 && !this.closed) this.scheduleEpochAdvance();
  }

  private scheduleEpochAdvance(): void {
    if (this.epochTimer) clearTimeout(this.epochTimer);
    if (this.closed) return;
    const delay = Math.max(0, this.state.epochStartedAtMs + this.epochDurationMs - this.now());
    this.epochTimer = setTimeout(() => {
      this.advanceEpoch().catch((error: unknown) => {
        if (this.closed) return; // Shutting down: the refusal is expected.
        this.logger.error({ err: error }, 'could not advance the epoch; retrying after one epoch duration');
        this.epochTimer = setTimeout(() => this.scheduleEpochAdvance(), this.epochDurationMs).unref();
      });
    }, delay).unref();
  }

  /** Stops the epoch timer, waits for writes in flight and closes the log. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.epochTimer) clearTimeout(this.epochTimer);
    this.epochTimer = null;
    await this.writes;
    await this.log.close();
  }

  /** Appends and fsyncs the record, then applies it: a record the log refused never reaches the state. */
  private async commit(record: LedgerRecord): Promise<void> {
    try {
      await this.log.append(encodeRecord(record));
    } catch (error) {
      if (error instanceof LogWriteFailedError) {
        this.logger.error({ err: error }, 'the ledger log failed a write');
        throw new LedgerError('LEDGER_UNAVAILABLE', error.message);
      }
      throw error;
    }
    this.state.apply(record);
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is closed'));
    const result = this.writes.then(task);
    // The caller receives the task's outcome; the queue only needs to know it finished.
    this.writes = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
