/**
 * Builds the publisher from the configuration: the main wallet (a `suiprivkey…` key from
 * WALRUS_GATEWAY_WALLET_KEY, or `--wallet-key-file` holding such a key or a Sui keystore; with
 * neither and a faucet, as on the local network, a fresh key in the data directory funded from the
 * faucet), the funded sub-wallets, and the write committee.
 */
import { join, resolve } from 'node:path';
import type { Keypair } from '@mysten/sui/cryptography';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { ChainClient, SuiAddress } from '../chain/chain-client.ts';
import type { BlobCodec } from '../codec/blob-codec.ts';
import { WALLET_KEY_ENV, type GatewayConfig } from '../config.ts';
import { CommitteeView } from '../nodes/committee-view.ts';
import { BlobPublisher } from './blob-publisher.ts';
import { StoreMetrics } from './store-metrics.ts';
import { keypairFromSuiPrivateKey, loadOrCreateKeyFile, loadWalletKeyFile, WalletKeyError } from './wallet-keys.ts';
import { WalletPool } from './wallets.ts';

const LOCAL_MAIN_WALLET_FILE = 'main-wallet.key';
/** What a fresh local main wallet gets from the faucet: 1,000 WAL. */
export const LOCAL_FAUCET_FROST = 1_000n * 1_000_000_000n;

export interface OpenPublisherOptions {
  readonly config: GatewayConfig;
  readonly chain: ChainClient;
  /** Where blobs are encoded: inline or on codec workers (`openCodec`). */
  readonly codec: BlobCodec;
  readonly registry: Registry;
  readonly log: FastifyBaseLogger;
  /** Local network only: funds an address (the ledger's faucet). */
  readonly faucet?: (address: SuiAddress, amount: bigint) => Promise<unknown>;
}

async function mainWallet(options: OpenPublisherOptions): Promise<Keypair> {
  const { publisher, dataDir } = options.config;
  if (publisher.walletKey !== undefined) return keypairFromSuiPrivateKey(publisher.walletKey, WALLET_KEY_ENV);
  if (publisher.walletKeyFile !== undefined) return loadWalletKeyFile(resolve(publisher.walletKeyFile));
  if (!options.faucet) throw new WalletKeyError(`the publisher needs a main wallet: set ${WALLET_KEY_ENV} or --wallet-key-file`);
  const keypair = await loadOrCreateKeyFile(join(resolve(dataDir), LOCAL_MAIN_WALLET_FILE), true);
  const needed = BigInt(publisher.nClients) * publisher.walRefillAmount;
  if ((await options.chain.getBalance(keypair.toSuiAddress())) < needed) await options.faucet(keypair.toSuiAddress(), LOCAL_FAUCET_FROST > needed ? LOCAL_FAUCET_FROST : needed * 2n);
  return keypair;
}

export async function openPublisher(options: OpenPublisherOptions): Promise<BlobPublisher> {
  const { config, chain, log } = options;
  const main = await mainWallet(options);
  const wallets = await WalletPool.open({
    chain,
    main,
    subWalletsDir: resolve(config.publisher.subWalletsDir),
    count: config.publisher.nClients,
    refillAmount: config.publisher.walRefillAmount,
    gasRefillAmount: config.publisher.gasRefillAmount,
    minBalance: config.publisher.subWalletsMinBalance,
    refillIntervalMs: config.publisher.refillIntervalMs,
    log,
  });
  log.info({ mainWallet: wallets.mainAddress, subWallets: wallets.subWallets.length }, 'publisher wallets ready');
  const metrics = new StoreMetrics(options.registry);
  const committees = new CommitteeView({ chain, nodeTimeoutMs: config.nodeTimeoutMs, countRequest: metrics.nodes.count });
  return new BlobPublisher({ chain, codec: options.codec, wallets, committees, metrics, log, spoolStripeBytes: config.publisher.spoolStripeBytes });
}
