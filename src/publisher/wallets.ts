/**
 * The publisher's wallets (docs/http-api.md §2.4, the reference's `multiplexer.rs` and `refill.rs`): a
 * main wallet that funds `n` sub-wallets, and the sub-wallets that pay for uploads in round-robin
 * order, so concurrent PUTs never spend the same coins. A refill loop tops sub-wallets up from the
 * main wallet whenever their WAL, or on chains with gas their SUI, drops below the minimum balance.
 */
import { join } from 'node:path';
import type { Keypair } from '@mysten/sui/cryptography';
import type { FastifyBaseLogger } from 'fastify';
import { InsufficientBalanceError, type ChainClient, type FundWalletRequest, type SuiAddress } from '../chain/chain-client.ts';
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
  /** FROST of WAL sent per refill. */
  readonly refillAmount: bigint;
  /** MIST of SUI sent per refill, on chains whose transactions cost gas. */
  readonly gasRefillAmount: bigint;
  /** Refill a sub-wallet whose WAL (FROST) or SUI (MIST) is below this, as the reference does for both. */
  readonly minBalance: bigint;
  readonly refillIntervalMs: number;
  readonly log: FastifyBaseLogger;
}

/** The main wallet cannot fund the sub-wallets: a start-up failure the operator must fix. */
export class WalletFundingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
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
    const requests = (await Promise.all(subWallets.map((wallet) => pool.shortfall(wallet)))).filter((request) => request.wal > 0n || request.gas > 0n);
    await pool.checkMainWalletCovers(requests);
    for (const request of requests) {
      await pool.send(request).catch((error: unknown) => {
        if (error instanceof InsufficientBalanceError) {
          throw new WalletFundingError(`funding sub-wallet ${request.recipient} from the main wallet ${pool.mainAddress} failed: ${error.message}`, { cause: error });
        }
        throw error;
      });
    }
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

  /**
   * Sends `amount` FROST of WAL from the main wallet, and a gas refill too if the sub-wallet's SUI is
   * below the minimum (serialised with other refills).
   */
  async fund(wallet: SubWallet, amount: bigint, signal?: AbortSignal): Promise<void> {
    const gas = await this.options.chain.getGasBalance(wallet.address, { signal });
    await this.send({ recipient: wallet.address, wal: amount, gas: this.gasShortfall(gas) }, signal);
  }

  /** One pass of the refill schedule; overlapping passes are skipped. */
  refillAll(): Promise<void> {
    if (this.refilling) return this.refilling;
    this.refilling = (async () => {
      for (const wallet of this.subWallets) {
        const request = await this.shortfall(wallet);
        if (request.wal > 0n || request.gas > 0n) await this.send(request);
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

  /** What a sub-wallet needs: a WAL refill and a gas refill, each only if it is below the minimum. */
  private async shortfall(wallet: SubWallet): Promise<FundWalletRequest> {
    const [wal, gas] = await Promise.all([this.options.chain.getBalance(wallet.address), this.options.chain.getGasBalance(wallet.address)]);
    return { recipient: wallet.address, wal: wal < this.options.minBalance ? this.options.refillAmount : 0n, gas: this.gasShortfall(gas) };
  }

  private gasShortfall(gas: bigint | null): bigint {
    return gas !== null && gas < this.options.minBalance ? this.options.gasRefillAmount : 0n;
  }

  private async checkMainWalletCovers(requests: readonly FundWalletRequest[]): Promise<void> {
    const wal = requests.reduce((sum, request) => sum + request.wal, 0n);
    const gas = requests.reduce((sum, request) => sum + request.gas, 0n);
    const { chain, refillAmount, gasRefillAmount } = this.options;
    const [availableWal, availableGas] = await Promise.all([chain.getBalance(this.mainAddress), chain.getGasBalance(this.mainAddress)]);
    const walNeedy = requests.filter((request) => request.wal > 0n).length;
    if (availableWal < wal) {
      throw new WalletFundingError(
        `the main wallet ${this.mainAddress} has ${availableWal} FROST of WAL but ${walNeedy} sub-wallets need ${refillAmount} FROST each (${wal} in all); fund it with WAL or lower --n-clients / --wal-refill-amount`,
      );
    }
    // Strictly more: the funding transactions' own gas comes out of the same SUI.
    if (availableGas !== null && requests.length > 0 && availableGas <= gas) {
      const gasNeedy = requests.filter((request) => request.gas > 0n).length;
      throw new WalletFundingError(
        `the main wallet ${this.mainAddress} has ${availableGas} MIST of SUI but ${gasNeedy} sub-wallets need ${gasRefillAmount} MIST each for gas (${gas} in all), plus gas for ${requests.length} funding transactions; fund it with SUI or lower --n-clients / --gas-refill-amount`,
      );
    }
  }

  /** One funding transaction from the main wallet, queued behind the others. */
  private send(request: FundWalletRequest, signal?: AbortSignal): Promise<void> {
    const run = this.mainQueue.then(() => this.options.chain.fundWallet(this.options.main, request, { signal }));
    // The queue only orders transactions; the caller sees this one's failure through `run`.
    this.mainQueue = run.catch(() => undefined);
    return run.then(() => undefined);
  }
}
