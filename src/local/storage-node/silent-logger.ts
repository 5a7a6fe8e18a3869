import type { FastifyBaseLogger } from 'fastify';

const discard = (): void => {};

/** The logger components get when the embedding code passes none: every line is dropped. */
export const silentLogger: FastifyBaseLogger = {
  level: 'silent',
  fatal: discard,
  error: discard,
  warn: discard,
  info: discard,
  debug: discard,
  trace: discard,
  silent: discard,
  child: () => silentLogger,
};
