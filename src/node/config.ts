import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { NetworkName } from '../chain/network.js';
import { MAX_SLOTS } from '../miner/shared.js';
import { DEFAULT_STRATUM_LIMITS } from '../stratum/limits.js';
import { MAX_CONFIGURED_PEERS } from '../net/limits.js';

/** The most peers --max-peers allows. */
export const MAX_PEERS = 1_000;

export type NetworkConfigName = NetworkName;

/**
 * The node's settings: flags over a JSON config file over defaults. The file mirrors the flags
 * (camelCase; `"mine": false` is `--no-mine`), is validated once on the way in, and an unknown key
 * is an error rather than a silently ignored typo.
 */
export interface NodeConfig {
  dataDir: string;
  host: string;
  port: number;
  /** Miner threads; ignored when `mine` is false. */
  threads: number;
  network: NetworkName;
  mine: boolean;
  /** Hex public key that receives block rewards; undefined = the node key kept in the data dir. */
  coinbase: string | undefined;
  /** Bearer token for the control routes. */
  token: string | undefined;
  /** Requests per second per client address; 0 turns the limit off (benchmarks). */
  rateLimit: number;
  /** Open HTTP connections in all (lowered to fit the open-file limit). */
  maxConnections: number;
  /** Open HTTP connections per client address; 0 = no per-client cap. */
  maxConnectionsPerClient: number;
  /** Seconds a client has to send a request's headers. */
  headersTimeout: number;
  /** Seconds a client has to send a whole request, body included (at least headersTimeout). */
  requestTimeout: number;
  /** The Stratum v1 server for other machines' miners (bound to `host`, like the API). */
  stratum: boolean;
  /** 0 picks a free port. */
  stratumPort: number;
  stratumMaxSessions: number;
  stratumMaxPerAddress: number;
  /** The lowest share difficulty a session is given. */
  stratumMinDifficulty: number;
  /** The peer-to-peer network (false = --no-p2p). It listens on `host`, like the HTTP API. */
  p2p: boolean;
  /** TCP port for peers; 0 = any free port. */
  p2pPort: number;
  /** Bootstrap peers' multiaddrs (--peer, repeatable), kept connected. */
  peers: string[];
  /** Connected peers at most, inbound and outbound together. */
  maxPeers: number;
  /** Find peers on the local network with mDNS. */
  mdns: boolean;
}

export type PartialConfig = Partial<NodeConfig>;

export const DEFAULT_CONFIG: Omit<NodeConfig, 'threads' | 'coinbase' | 'token'> = {
  dataDir: './data',
  host: '127.0.0.1',
  port: 8080,
  network: 'dev',
  mine: true,
  rateLimit: 50,
  maxConnections: 1024,
  maxConnectionsPerClient: 64,
  headersTimeout: 10,
  requestTimeout: 30,
  stratum: true,
  stratumPort: 3333,
  stratumMaxSessions: DEFAULT_STRATUM_LIMITS.maxSessions,
  stratumMaxPerAddress: DEFAULT_STRATUM_LIMITS.maxSessionsPerAddress,
  stratumMinDifficulty: DEFAULT_STRATUM_LIMITS.minDifficulty,
  p2p: true,
  p2pPort: 9333,
  peers: [],
  maxPeers: 24,
  mdns: false,
};

const publicKeyHex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a 64-hex-digit Ed25519 public key').transform((s) => s.toLowerCase());

/** The config file's shape: every key optional, nothing else allowed. */
export const configFileSchema = z.strictObject({
  data: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  threads: z.number().int().min(1).max(MAX_SLOTS),
  network: z.enum(['dev', 'test']),
  mine: z.boolean(),
  coinbase: publicKeyHex,
  token: z.string().refine((t) => tokenProblem(t) === undefined, { error: (issue) => tokenProblem(String(issue.input)) }),
  rateLimit: z.number().int().min(0),
  maxConnections: z.number().int().min(1),
  maxConnectionsPerClient: z.number().int().min(0),
  headersTimeout: z.number().positive().max(86_400),
  requestTimeout: z.number().positive().max(86_400),
  stratum: z.boolean(),
  stratumPort: z.number().int().min(0).max(65_535),
  stratumMaxSessions: z.number().int().min(1).max(1_000_000),
  stratumMaxPerAddress: z.number().int().min(1).max(1_000_000),
  stratumMinDifficulty: z.number().positive().max(1e15),
  p2p: z.boolean(),
  p2pPort: z.number().int().min(0).max(65_535),
  peers: z.array(z.string().min(1).max(1024)).max(MAX_CONFIGURED_PEERS),
  maxPeers: z.number().int().min(1).max(MAX_PEERS),
  mdns: z.boolean(),
}).partial();

export const CONFIG_KEYS = Object.keys(configFileSchema.shape);

/** Thrown for anything wrong with the settings; the CLI prints `message` as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read and validate a config file. */
export function loadConfigFile(path: string): PartialConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config ${path}: not JSON: ${(err as Error).message}`);
  }
  return parseConfig(json, `config ${path}`);
}

/** Validate config-file JSON (already parsed); `where` prefixes the error. */
export function parseConfig(json: unknown, where = 'config'): PartialConfig {
  const result = configFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new ConfigError(`${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${CONFIG_KEYS.join(', ')})`);
    }
    const at = issue.path.length ? `"${issue.path.join('.')}"` : 'the file';
    throw new ConfigError(`${where}: ${at}: ${issue.message}`);
  }
  const { data, ...rest } = result.data;
  return dropUndefined({ ...rest, dataDir: data });
}

/** Flags win over the file, the file over the defaults; the result is checked as a whole. */
export function resolveConfig(flags: PartialConfig, file: PartialConfig = {}): NodeConfig {
  const merged = { ...dropUndefined(file), ...dropUndefined(flags) };
  const config: NodeConfig = {
    ...DEFAULT_CONFIG,
    threads: availableParallelism(),
    coinbase: undefined,
    token: undefined,
    ...merged,
  };
  const tokenIssue = config.token === undefined ? undefined : tokenProblem(config.token);
  if (tokenIssue) throw new ConfigError(`token: ${tokenIssue}`);
  if (config.requestTimeout < config.headersTimeout) {
    throw new ConfigError(`the request timeout (${config.requestTimeout} s) must be at least the headers timeout (${config.headersTimeout} s)`);
  }
  return config;
}

/**
 * Why a token cannot work, or undefined. An empty token, or one with spaces or control characters,
 * can never be sent as `Authorization: Bearer <token>`: it would lock the control routes for good.
 */
export function tokenProblem(token: string): string | undefined {
  if (token === '') return 'must not be empty (an empty token would lock the control routes; leave it out instead)';
  if (!/^[\x21-\x7e]+$/.test(token)) return 'must be printable ASCII without spaces (it is sent as "Authorization: Bearer <token>")';
  return undefined;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
