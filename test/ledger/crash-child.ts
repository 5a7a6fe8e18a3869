/** A ledger server in its own process, for crash tests: prints its URL, then serves until killed. */
import { LedgerServer } from '../../src/local/ledger/ledger-server.ts';
import { testGenesis } from './fixtures.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir>');
const server = new LedgerServer({ dataDir, genesis: testGenesis() });
process.stdout.write(`${await server.start()}\n`);
