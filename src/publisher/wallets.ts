/**
 * The publisher's wallets (gateway-api.md §2.4, the reference's `multiplexer.rs`): a main wallet
 * that funds `n` sub-wallets, and the sub-wallets that pay for uploads in round-robin order, so
 * concurrent PUTs never spend the same coins. A refill loop tops sub-wallets up from the main wallet
 * whenever they drop below the minimum balance.
 */
import { join } from 'node:path';
import type { Keypair } from '@mysten/sui/cryptography';
import type { FastifyBaseLogger } from 'fastify';
import type { ChainClient, SuiAddress } from '../chain/chain-client.ts';
import { loadOrCreateKeyFile } from './wallet-keys.ts';

export interface SubWallet {
  readonly index: number;
  readonly keypair: Keypair;
  readonly address: SuiAddress;
}

export interface WalletPoolOptions {
  readonly chain: ChainClient;
  readonly main: Keypair;
  readonly subWalletsDir: string;
  readonly count: number;
  /** FROST sent per refill. */
  readonly refillAmount: bigint;
  /** Refill a sub-wallet whose balance is below this (FROST). */
  readonly minBalance: bigint;
  readonly refillIntervalMs: number;
  readonly log: FastifyBaseLogger;
}

/** The main wallet cannot fund the sub-wallets: a start-up failure the operator must fix. */
export class WalletFundingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalletFundingError';
  }
}

export class WalletPool {
  readonly mainAddress: SuiAddress;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private refilling: Promise<void> | undefined;
  /** Refills run one at a time: they all spend the main wallet's coins. */
  private mainQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: WalletPoolOptions,
    readonly subWallets: readonly SubWallet[],
  ) {
    this.mainAddress = options.main.toSuiAddress();
  }

  /** Loads (or creates) the sub-wallets and funds them; fails clearly when the main wallet cannot. */
  static async open(options: WalletPoolOptions): Promise<WalletPool> {
    const subWallets: SubWallet[] = [];
    for (let index = 0; index < options.count; index++) {
      const keypair = await loadOrCreateKeyFile(join(options.subWalletsDir, `sub-wallet-${index}.key`), true);
      subWallets.push({ index, keypair, address: keypair.toSuiAddress() });
    }
    const pool = new WalletPool(options, subWallets);
    const balances = await Promise.all(subWallets.map((wallet) => options.chain.getBalance(wallet.address)));
    const needy = subWallets.filter((_, i) => balances[i] < options.minBalance);
    const needed = BigInt(needy.length) * options.refillAmount;
    const available = await options.chain.getBalance(pool.mainAddress);
    if (available < needed) {
      throw new WalletFundingError(
        `the main wallet ${pool.mainAddress} has ${available} FROST but ${needy.length} sub-wallets need ${options.refillAmount} FROST each (${needed} in all); fund it with WAL or lower --n-clients / --wal-refill-amount`,
      );
    }
    for (const wallet of needy) await pool.fund(wallet, options.refillAmount);
    pool.timer = setInterval(() => pool.refillAll(), options.refillIntervalMs);
    pool.timer.unref();
    return pool;
  }

  /** The next sub-wallet in round-robin order. */
  nextWallet(): SubWallet {
    const wallet = this.subWallets[this.next];
    this.next = (this.next + 1) % this.subWallets.length;
    return wallet;
  }

  /** Sends `amount` FROST from the main wallet (serialised with other refills). */
  fund(wallet: SubWallet, amount: bigint, signal?: AbortSignal): Promise<void> {
    const run = this.mainQueue.then(() => this.options.chain.transferWal(this.options.main, { recipient: wallet.address, amount }, { signal }));
    // The queue only orders transfers; the caller sees this transfer's failure through `run`.
    this.mainQueue = run.catch(() => undefined);
    return run.then(() => undefined);
  }

  /** One pass of the refill schedule; overlapping passes are skipped. */
  refillAll(): Promise<void> {
    if (this.refilling) return this.refilling;
    this.refilling = (async () => {
      for (const wallet of this.subWallets) {
        const balance = await this.options.chain.getBalance(wallet.address);
        if (balance < this.options.minBalance) await this.fund(wallet, this.options.refillAmount);
      }
    })()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'sub-wallet refill failed; retrying on the next interval'))
      .finally(() => {
        this.refilling = undefined;
      });
    return this.refilling;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
