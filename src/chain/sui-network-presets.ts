import { isValidSuiObjectId, normalizeSuiObjectId } from '@mysten/sui/utils';

/**
 * Where the Walrus system lives on each Sui network (docs/protocol.md §5.1; the official
 * `setup/client_config_*.yaml` and `@mysten/walrus` `constants.ts`). Every value can be overridden
 * because testnet is redeployed from time to time; `custom` has no defaults at all.
 */
export const SUI_NETWORKS = ['testnet', 'mainnet', 'custom'] as const;
export type SuiNetwork = (typeof SUI_NETWORKS)[number];

export interface SuiNetworkPreset {
  readonly rpcUrl: string;
  readonly systemObjectId: string;
  readonly stakingObjectId: string;
}

export const SUI_NETWORK_PRESETS: Readonly<Record<Exclude<SuiNetwork, 'custom'>, SuiNetworkPreset>> = {
  testnet: {
    rpcUrl: 'https://fullnode.testnet.sui.io:443',
    systemObjectId: '0x6c2547cbbc38025cf3adac45f63cb0a8d12ecf777cdc75a4971612bf97fdf6af',
    stakingObjectId: '0xbe46180321c30aab2f8b3501e24048377287fa708018a5b7c2792b35fe339ee3',
  },
  mainnet: {
    rpcUrl: 'https://fullnode.mainnet.sui.io:443',
    systemObjectId: '0x2134d52768ea07e8c43570ef975eb3e4c27a39fa6396bef985b5abc58d03ddd2',
    stakingObjectId: '0x10b9d30c28448939ce6c4d6c6e0ffce4a7f8a4ada8248bdad09ef8b70e4a3904',
  },
};

export interface SuiNetworkOverrides {
  readonly network: SuiNetwork;
  readonly rpcUrl?: string;
  readonly systemObjectId?: string;
  readonly stakingObjectId?: string;
}

/** A bad network setting: a configuration mistake, reported before any chain call. */
export class SuiNetworkConfigError extends Error {
  override readonly name = 'SuiNetworkConfigError';
}

export interface ResolvedSuiNetwork extends SuiNetworkPreset {
  readonly network: SuiNetwork;
}

/** The preset with the overrides applied; `custom` must name all three values. */
export function resolveSuiNetwork(options: SuiNetworkOverrides): ResolvedSuiNetwork {
  const preset = options.network === 'custom' ? undefined : SUI_NETWORK_PRESETS[options.network];
  const rpcUrl = options.rpcUrl ?? preset?.rpcUrl;
  const systemObjectId = options.systemObjectId ?? preset?.systemObjectId;
  const stakingObjectId = options.stakingObjectId ?? preset?.stakingObjectId;
  if (rpcUrl === undefined || systemObjectId === undefined || stakingObjectId === undefined) {
    throw new SuiNetworkConfigError(`network "${options.network}" needs an RPC URL, a system object ID and a staking object ID`);
  }
  return {
    network: options.network,
    rpcUrl: new URL(rpcUrl).href.replace(/\/$/, ''),
    systemObjectId: objectId(systemObjectId, 'system object'),
    stakingObjectId: objectId(stakingObjectId, 'staking object'),
  };
}

function objectId(value: string, what: string): string {
  const normalized = normalizeSuiObjectId(value);
  if (!isValidSuiObjectId(normalized)) throw new SuiNetworkConfigError(`${what} ID "${value}" is not a Sui object ID`);
  return normalized;
}
