import { BYTES_PER_STORAGE_UNIT } from '../codec/params.ts';
import type { Prices, StorageCost } from './chain-client.ts';

/**
 * Walrus pricing (docs/protocol.md §5.2; `system_state_inner.move` `process_storage_payments`,
 * `write_price`): storage is paid per unit per epoch on the reserved size, writing once per unit
 * on the blob's encoded length. A unit is 1 MiB, rounded up.
 */
export function storageUnitsForBytes(bytes: number): bigint {
  return BigInt(Math.ceil(bytes / BYTES_PER_STORAGE_UNIT));
}

/** Cost of reserving `storageSize` bytes for `epochs` epochs and registering a blob of `encodedLength`. */
export function registrationCost(prices: Prices, storageSize: number, encodedLength: number, epochs: number): StorageCost {
  const storage = storageCostForEpochs(prices, storageSize, epochs);
  const write = storageUnitsForBytes(encodedLength) * prices.writePricePerUnitSize;
  return { storage, write, total: storage + write };
}

/** Storage price of `storageSize` bytes over `epochs` epochs (a reservation or an extension). */
export function storageCostForEpochs(prices: Prices, storageSize: number, epochs: number): bigint {
  return storageUnitsForBytes(storageSize) * prices.storagePricePerUnitSize * BigInt(epochs);
}
