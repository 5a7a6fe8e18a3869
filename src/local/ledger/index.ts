/** The local ledger: Sui's part in the embedded Walrus network, served over HTTP on loopback. */
export { DEFAULT_LEDGER_HOST, LedgerServer, type LedgerServerOptions } from './ledger-server.ts';
export { buildLedgerApp, type LedgerAppOptions } from './http-app.ts';
export { Ledger, type LedgerLogger, type LedgerOptions, MissingGenesisError } from './ledger.ts';
export { InvalidGenesisError } from './genesis.ts';
export { LogCorruptedError } from './durable-log.ts';
export { DOMAIN_LEDGER, LEDGER_ERRORS, LedgerError, type LedgerErrorReason } from './errors.ts';
export type { Genesis, GenesisNode } from './model.ts';
export { DEFAULT_MAX_EPOCHS_AHEAD } from './model.ts';
export type { BlobStatusJson } from './blob-status.ts';
export type { BlobIdStatusResponseJson, NetworkJson, RegistrationJson } from './wire-json.ts';
