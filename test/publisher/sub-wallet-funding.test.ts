/**
 * Sub-wallet funding through the chain-client interface: WAL and, on chains with gas, SUI; the
 * start-up checks of the main wallet; the refill loop. The chain is an in-memory ChainClient so the
 * same pool code is seen on a chain with gas (Sui) and one without (the local ledger).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { pino } from 'pino';
import { InsufficientBalanceError, type ChainClient, type FundWalletRequest, type Signer, type SuiAddress, type TransactionReceipt } from '../../src/chain/chain-client.ts';
import { WalletFundingError, WalletPool, type WalletPoolOptions } from '../../src/publisher/wallets.ts';

const WAL = 1_000_000_000n;
const SUI = 1_000_000_000n;

/** Balances in memory; `gas: null` is a chain whose transactions cost nothing (the local ledger). */
class MemoryChain implements ChainClient {
  readonly wal = new Map<SuiAddress, bigint>();
  readonly funded: FundWalletRequest[] = [];
  fundingFailure: Error | undefined;

  constructor(readonly gas: Map<SuiAddress, bigint> | null) {}

  async getBalance(address: SuiAddress): Promise<bigint> {
    return this.wal.get(address) ?? 0n;
  }

  async getGasBalance(address: SuiAddress): Promise<bigint | null> {
    return this.gas === null ? null : (this.gas.get(address) ?? 0n);
  }

  async fundWallet(signer: Signer, request: FundWalletRequest): Promise<TransactionReceipt | null> {
    if (this.fundingFailure) throw this.fundingFailure;
    const from = signer.toSuiAddress();
    const gas = this.gas === null ? 0n : request.gas;
    if (request.wal === 0n && gas === 0n) return null;
    this.funded.push({ ...request, gas });
    this.wal.set(from, (this.wal.get(from) ?? 0n) - request.wal);
    this.wal.set(request.recipient, (this.wal.get(request.recipient) ?? 0n) + request.wal);
    if (this.gas !== null) {
      this.gas.set(from, (this.gas.get(from) ?? 0n) - gas);
      this.gas.set(request.recipient, (this.gas.get(request.recipient) ?? 0n) + gas);
    }
    return { digest: `tx${this.funded.length}`, events: [] };
  }

  getSystemState = notUsed;
  getBlobObject = notUsed;
  getOwnedBlobObjects = notUsed;
  registerBlob = notUsed;
  certifyBlob = notUsed;
  extendBlob = notUsed;
  deleteBlob = notUsed;
  getTransaction = notUsed;
  async close(): Promise<void> {}
}

function notUsed(): Promise<never> {
  return Promise.reject(new Error('not used by the wallet pool'));
}

describe('sub-wallet funding', () => {
  let dir: string;
  let run = 0;
  const pools: WalletPool[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'walrus-sub-wallets-'));
  });
  after(async () => {
    for (const pool of pools) pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  const main = new Ed25519Keypair();
  async function open(chain: MemoryChain, overrides: Partial<WalletPoolOptions> = {}): Promise<WalletPool> {
    const pool = await WalletPool.open({
      chain,
      main,
      subWalletsDir: join(dir, `run-${run++}`),
      count: 3,
      refillAmount: 2n * WAL,
      gasRefillAmount: SUI / 2n,
      // One threshold for WAL and SUI, as the reference's --sub-wallets-min-balance.
      minBalance: WAL / 2n,
      refillIntervalMs: 3_600_000,
      log: pino({ level: 'silent' }),
      ...overrides,
    });
    pools.push(pool);
    return pool;
  }

  it('on a chain with gas, each sub-wallet gets WAL and SUI, each only if it is below the minimum', async () => {
    const chain = new MemoryChain(new Map([[main.toSuiAddress(), 10n * SUI]]));
    chain.wal.set(main.toSuiAddress(), 100n * WAL);
    const first = await open(chain, { count: 1 });
    assert.deepEqual(chain.funded, [{ recipient: first.subWallets[0].address, wal: 2n * WAL, gas: SUI / 2n }]);

    // Same wallets again: the first now has enough of both; spend some of its gas only.
    chain.funded.length = 0;
    chain.gas!.set(first.subWallets[0].address, SUI / 2n - 1n);
    const again = await open(chain, { count: 1, subWalletsDir: join(dir, `run-${run - 1}`) });
    assert.equal(again.subWallets[0].address, first.subWallets[0].address, 'existing key files are reused');
    assert.deepEqual(chain.funded, [{ recipient: first.subWallets[0].address, wal: 0n, gas: SUI / 2n }]);
  });

  it('on a chain without gas (the local ledger), only WAL moves', async () => {
    const chain = new MemoryChain(null);
    chain.wal.set(main.toSuiAddress(), 100n * WAL);
    const pool = await open(chain);
    assert.deepEqual(
      chain.funded,
      pool.subWallets.map((wallet) => ({ recipient: wallet.address, wal: 2n * WAL, gas: 0n })),
    );
  });

  it('a main wallet short of WAL or of SUI fails the start naming the amounts, before any transfer', async () => {
    const poorInWal = new MemoryChain(new Map([[main.toSuiAddress(), 10n * SUI]]));
    poorInWal.wal.set(main.toSuiAddress(), 5n * WAL);
    await assert.rejects(open(poorInWal), (error: unknown) => error instanceof WalletFundingError && /has 5000000000 FROST of WAL but 3 sub-wallets need 2000000000 FROST each \(6000000000 in all\)/.test(error.message));
    assert.equal(poorInWal.funded.length, 0);

    // Exactly the SUI to send is not enough: the funding transactions pay gas too.
    const poorInSui = new MemoryChain(new Map([[main.toSuiAddress(), (3n * SUI) / 2n]]));
    poorInSui.wal.set(main.toSuiAddress(), 100n * WAL);
    await assert.rejects(
      open(poorInSui),
      (error: unknown) => error instanceof WalletFundingError && /has 1500000000 MIST of SUI but 3 sub-wallets need 500000000 MIST each for gas .*--gas-refill-amount/.test(error.message),
    );
    assert.equal(poorInSui.funded.length, 0);
  });

  it('a shortfall the chain reports while funding is a start-up error, not a crash', async () => {
    const chain = new MemoryChain(new Map([[main.toSuiAddress(), 10n * SUI]]));
    chain.wal.set(main.toSuiAddress(), 100n * WAL);
    chain.fundingFailure = new InsufficientBalanceError('0xmain holds 10 MIST of SUI but the gas budget is 20', 20n, 10n, 'SUI');
    await assert.rejects(open(chain), (error: unknown) => error instanceof WalletFundingError && error.cause === chain.fundingFailure && /gas budget is 20/.test(error.message));
  });

  it('the refill loop tops up what ran low; a top-up during an upload adds SUI only if gas is low too', async () => {
    const chain = new MemoryChain(new Map([[main.toSuiAddress(), 10n * SUI]]));
    chain.wal.set(main.toSuiAddress(), 100n * WAL);
    const pool = await open(chain);
    const [a, b, c] = pool.subWallets;
    chain.funded.length = 0;
    chain.wal.set(a.address, 0n);
    chain.gas!.set(b.address, 0n);
    await Promise.all([pool.refillAll(), pool.refillAll()]);
    assert.deepEqual(chain.funded, [
      { recipient: a.address, wal: 2n * WAL, gas: 0n },
      { recipient: b.address, wal: 0n, gas: SUI / 2n },
    ]);

    chain.funded.length = 0;
    await pool.fund(c, 123n);
    chain.gas!.set(c.address, 1n);
    await pool.fund(c, 456n);
    assert.deepEqual(chain.funded, [
      { recipient: c.address, wal: 123n, gas: 0n },
      { recipient: c.address, wal: 456n, gas: SUI / 2n },
    ]);
  });
});
