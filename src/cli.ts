import { blobIdCommand, blobIdUsage } from './cli/blob-id-command.ts';
import { aggregatorCommand, daemonCommand, gatewayUsage, publisherCommand } from './cli/gateway-command.ts';
import { localNetworkCommand, localNetworkUsage } from './cli/local-network-command.ts';
import { UsageError } from './cli/usage-error.ts';
import { CodecError } from './codec/errors.ts';
import { KernelUnavailableError } from './codec/kernel/select-kernel.ts';
import { ConfigError } from './config.ts';
import { WalletKeyError } from './publisher/wallet-keys.ts';
import { WalletFundingError } from './publisher/wallets.ts';

type Command = (args: string[], out: (line: string) => void) => Promise<void>;

const commands: Record<string, { run: Command; usage: string }> = {
  'blob-id': { run: blobIdCommand, usage: blobIdUsage },
  'local-network': { run: localNetworkCommand, usage: localNetworkUsage },
  aggregator: { run: aggregatorCommand, usage: gatewayUsage('aggregator') },
  publisher: { run: publisherCommand, usage: gatewayUsage('publisher') },
  daemon: { run: daemonCommand, usage: gatewayUsage('daemon') },
};

const usage = `Usage: walrus-gateway <command> [options]

Commands:
${Object.values(commands)
  .map((command) => '  ' + command.usage.split('\n')[0])
  .join('\n')}

Run 'walrus-gateway <command> --help' for a command's options.`;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Runs the command line; returns the process exit code. Errors go to stderr, results to stdout. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = commands[name];
  if (!command) {
    console.error(`walrus-gateway: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return EXIT_OK;
  }
  try {
    await command.run(args, (line) => process.stdout.write(line + '\n'));
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`walrus-gateway ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    if (error instanceof CodecError || error instanceof ConfigError || error instanceof KernelUnavailableError || error instanceof WalletKeyError || error instanceof WalletFundingError) {
      console.error(`walrus-gateway ${name}: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
