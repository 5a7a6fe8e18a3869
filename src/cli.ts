/**
 * The command line. Each sub-command's module is loaded only when it runs (or shows its own help),
 * so `--help` and `blob-id` do not load the gateway, the local network or the Sui SDK.
 */
import { UsageError } from './cli/usage-error.ts';

type Command = (args: string[], out: (line: string) => void) => Promise<void>;

interface CommandEntry {
  /** The first line of the command's usage, for the top-level help. */
  readonly synopsis: string;
  readonly load: () => Promise<{ run: Command; usage: string }>;
}

const gateway = (mode: 'aggregator' | 'publisher' | 'daemon' | 'upload-relay'): CommandEntry => ({
  synopsis: `walrus-gateway ${mode} [options]`,
  load: async () => {
    const module = await import('./cli/gateway-command.ts');
    const run = { aggregator: module.aggregatorCommand, publisher: module.publisherCommand, daemon: module.daemonCommand, 'upload-relay': module.uploadRelayCommand }[mode];
    return { run, usage: module.gatewayUsage(mode) };
  },
});

const commands: Record<string, CommandEntry> = {
  'blob-id': {
    synopsis: 'walrus-gateway blob-id <FILE|-> [--n-shards N]',
    load: async () => {
      const module = await import('./cli/blob-id-command.ts');
      return { run: module.blobIdCommand, usage: module.blobIdUsage };
    },
  },
  'local-network': {
    synopsis: 'walrus-gateway local-network [options]',
    load: async () => {
      const module = await import('./cli/local-network-command.ts');
      return { run: module.localNetworkCommand, usage: module.localNetworkUsage };
    },
  },
  aggregator: gateway('aggregator'),
  publisher: gateway('publisher'),
  daemon: gateway('daemon'),
  'upload-relay': gateway('upload-relay'),
};

const usage = `Usage: walrus-gateway <command> [options]

Commands:
${Object.values(commands)
  .map((command) => '  ' + command.synopsis)
  .join('\n')}

Run 'walrus-gateway <command> --help' for a command's options.`;

/**
 * Failures a user can act on, printed as one line with exit code 1 rather than a stack trace. The
 * classes are loaded only once something failed, to keep start-up light.
 */
async function isExpectedFailure(error: unknown): Promise<boolean> {
  const [{ CodecError }, { KernelUnavailableError }, { ConfigError }, { WalletKeyError }, { WalletFundingError }] = await Promise.all([
    import('./codec/errors.ts'),
    import('./codec/kernel/select-kernel.ts'),
    import('./config.ts'),
    import('./publisher/wallet-keys.ts'),
    import('./publisher/wallets.ts'),
  ]);
  return [CodecError, ConfigError, KernelUnavailableError, WalletKeyError, WalletFundingError].some((type) => error instanceof type);
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Where the command line writes its lines: the process's stdout and stderr, or a test's buffers. */
export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const PROCESS_OUTPUT: CliOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** Runs the command line; returns the process exit code. Errors go to stderr, results to stdout. */
export async function main(argv: string[], output: CliOutput = PROCESS_OUTPUT): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.out(usage);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    output.err(`walrus-gateway: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    output.out(command.usage);
    return EXIT_OK;
  }
  try {
    await command.run(args, output.out);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`walrus-gateway ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    if (error instanceof Error && (await isExpectedFailure(error))) {
      output.err(`walrus-gateway ${name}: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
