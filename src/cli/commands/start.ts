/**
 * `carechain start [--data DIR] [--host H] [--port P] [-t N] [--network dev|test] [--no-mine]
 *                  [--coinbase KEY] [--token T] [--rate-limit N] [--max-connections N]
 *                  [--max-connections-per-client N] [--headers-timeout S] [--request-timeout S]
 *                  [--stratum-port P] [--no-stratum] [--stratum-max-sessions N]
 *                  [--stratum-max-per-address N] [--stratum-min-difficulty D]
 *                  [--p2p-port P] [--peer MULTIADDR]... [--no-p2p] [--max-peers N] [--mdns] [--config FILE]`
 * Runs a node until SIGINT/SIGTERM, then stops the workers, finishes writing, closes the store and
 * exits 0. Flags win over the config file, the file over the defaults.
 */
import { startNode } from '../../node/full-node.js';
import { ConfigError, loadConfigFile, MAX_PEERS, resolveConfig, tokenProblem, type NetworkConfigName, type PartialConfig } from '../../node/config.js';
import { MAX_CONFIGURED_PEERS } from '../../net/limits.js';
import { createLogger } from '../../node/log.js';
import { MAX_SLOTS } from '../../miner/shared.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';

/** The flags `carechain start` takes (COMMAND_HELP documents each). */
export const options = {
  data: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  threads: { type: 'string', short: 't' },
  network: { type: 'string' },
  'no-mine': { type: 'boolean' },
  coinbase: { type: 'string' },
  token: { type: 'string' },
  'rate-limit': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-client': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'stratum-port': { type: 'string' },
  'no-stratum': { type: 'boolean' },
  'stratum-max-sessions': { type: 'string' },
  'stratum-max-per-address': { type: 'string' },
  'stratum-min-difficulty': { type: 'string' },
  config: { type: 'string', short: 'c' },
  'p2p-port': { type: 'string' },
  peer: { type: 'string', multiple: true },
  'no-p2p': { type: 'boolean' },
  'max-peers': { type: 'string' },
  mdns: { type: 'boolean' },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const flags: PartialConfig = {
    dataDir: values.data,
    host: values.host,
    port: values.port === undefined ? undefined : inRange(parseCount(values.port, '--port'), '--port', 0, 65_535),
    threads: values.threads === undefined ? undefined : inRange(parseCount(values.threads, '--threads'), '--threads', 1, MAX_SLOTS),
    network: values.network === undefined ? undefined : networkName(values.network),
    mine: values['no-mine'] ? false : undefined,
    coinbase: values.coinbase === undefined ? undefined : publicKey(values.coinbase),
    token: values.token === undefined ? undefined : token(values.token),
    rateLimit: values['rate-limit'] === undefined ? undefined : parseCount(values['rate-limit'], '--rate-limit'),
    maxConnections: values['max-connections'] === undefined ? undefined : inRange(parseCount(values['max-connections'], '--max-connections'), '--max-connections', 1, 1_000_000),
    maxConnectionsPerClient:
      values['max-connections-per-client'] === undefined ? undefined : parseCount(values['max-connections-per-client'], '--max-connections-per-client'),
    headersTimeout: values['headers-timeout'] === undefined ? undefined : seconds(values['headers-timeout'], '--headers-timeout'),
    requestTimeout: values['request-timeout'] === undefined ? undefined : seconds(values['request-timeout'], '--request-timeout'),
    stratum: values['no-stratum'] ? false : undefined,
    stratumPort: values['stratum-port'] === undefined ? undefined : inRange(parseCount(values['stratum-port'], '--stratum-port'), '--stratum-port', 0, 65_535),
    stratumMaxSessions: optionalCount(values['stratum-max-sessions'], '--stratum-max-sessions'),
    stratumMaxPerAddress: optionalCount(values['stratum-max-per-address'], '--stratum-max-per-address'),
    stratumMinDifficulty: values['stratum-min-difficulty'] === undefined ? undefined : positiveNumber(values['stratum-min-difficulty'], '--stratum-min-difficulty'),
    p2p: values['no-p2p'] ? false : undefined,
    p2pPort: values['p2p-port'] === undefined ? undefined : inRange(parseCount(values['p2p-port'], '--p2p-port'), '--p2p-port', 0, 65_535),
    peers: values.peer === undefined ? undefined : values.peer.map(peerAddress),
    maxPeers: values['max-peers'] === undefined ? undefined : inRange(parseCount(values['max-peers'], '--max-peers'), '--max-peers', 1, MAX_PEERS),
    mdns: values.mdns ? true : undefined,
  };
  if (values.data === '') throw new CliError('--data must not be empty');
  if ((values.peer?.length ?? 0) > MAX_CONFIGURED_PEERS) throw new CliError(`--peer may be given at most ${MAX_CONFIGURED_PEERS} times`);
  let config;
  try {
    config = resolveConfig(flags, values.config === undefined ? {} : loadConfigFile(values.config));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }

  const log = createLogger();
  // The handlers go in before the node starts: a signal while it starts (its API already answering)
  // must still stop it cleanly once it has started, never kill it half-way.
  const stopped = new Promise<string>((resolve) => {
    const stop = (signal: string) => {
      // A second signal while stopping means "now": the store is crash-safe, so exit at once.
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', () => stop('SIGINT')).once('SIGTERM', () => stop('SIGTERM'));
  });
  let node;
  try {
    node = await startNode(config, log);
  } catch (err) {
    log.close();
    throw new CliError(`cannot start the node: ${(err as Error).message}`, 1);
  }

  const signal = await stopped;
  log.info(`${signal}: stopping (workers, then the store)`);
  await node.close();
  log.close();
  log.info('stopped cleanly');
  return 0;
}

function inRange(n: number, flag: string, min: number, max: number): number {
  if (n < min || n > max) throw new CliError(`${flag} must be from ${min} to ${max}, got ${n}`);
  return n;
}

function token(text: string): string {
  const problem = tokenProblem(text);
  if (problem) throw new CliError(`--token ${problem}`);
  return text;
}

/** A positive number of seconds (fractions allowed, e.g. 0.5). */
function seconds(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\s*\d*\.?\d+\s*$/.test(text) || !(n > 0) || n > 86_400) throw new CliError(`${flag} must be a number of seconds above 0 (up to 86400), got "${text}"`);
  return n;
}

function optionalCount(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : inRange(parseCount(value, flag), flag, 1, 1_000_000);
}

function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n) || value.trim() === '') throw new CliError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

function networkName(name: string): NetworkConfigName {
  if (name !== 'dev' && name !== 'test') throw new CliError(`--network must be dev or test, got "${name}"`);
  return name;
}

/** A peer's multiaddr, e.g. /ip4/127.0.0.1/tcp/9333/p2p/12D3Koo… (checked fully when the network starts). */
function peerAddress(addr: string): string {
  if (!addr.startsWith('/')) throw new CliError(`--peer must be a multiaddr such as /ip4/127.0.0.1/tcp/9333/p2p/<peer id>, got "${addr}"`);
  return addr;
}

function publicKey(hex: string): string {
  const key = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(key)) throw new CliError('--coinbase must be a 64-hex-digit public key (see carechain keygen)');
  return key.toLowerCase();
}
