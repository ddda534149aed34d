/**
 * `carechain mine -o stratum+tcp://HOST:PORT [-o …] -u USER [-p PASS] [-t N] [--json] [--http-port P]`
 * The node's miner (the WASM kernel on every core) against any Stratum v1 sha256d pool, the node's
 * own server included: cpuminer's flags, fail-over through the -o pools in order, reconnects with
 * backoff, a live status line on a terminal, JSON lines with --json, and a clean stop on SIGINT.
 */
import { availableParallelism } from 'node:os';
import { toDisplayHex } from '../../chain/hash.js';
import { createMinerApp } from '../../http/miner-app.js';
import type { MinerStatus, MiningSummary } from '../../http/response-schemas.js';
import { startHttpServer, type RunningHttpServer } from '../../http/server.js';
import { defaultFlavor } from '../../kernel/kernel.js';
import { createMinerClientMetrics } from '../../metrics/miner-client-metrics.js';
import type { HashRates } from '../../miner/hashrate.js';
import { MinerPool } from '../../miner/pool.js';
import { MAX_SLOTS } from '../../miner/shared.js';
import { createLogger, type Logger } from '../../node/log.js';
import { parsePoolUrl } from '../../stratum/pool-connection.js';
import { StratumMiner, type StratumMinerEvents } from '../../stratum/stratum-miner.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';

/** The flags `carechain mine` takes (COMMAND_HELP documents each). */
export const options = {
  url: { type: 'string', short: 'o', multiple: true },
  user: { type: 'string', short: 'u' },
  pass: { type: 'string', short: 'p', default: 'x' },
  threads: { type: 'string', short: 't' },
  json: { type: 'boolean', default: false },
  'http-port': { type: 'string' },
  'http-host': { type: 'string', default: '127.0.0.1' },
} as const;

const STATUS_EVERY_MS = 10_000;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const urls = values.url ?? [];
  if (urls.length === 0) throw new CliError('mine needs a pool: -o stratum+tcp://HOST:PORT');
  for (const url of urls) {
    try {
      parsePoolUrl(url);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  if (!values.user) throw new CliError('mine needs a username: -u USER (on a carechain node: your payout key, 64 hex digits)');
  const threads = values.threads === undefined ? availableParallelism() : parseCount(values.threads, '--threads');
  if (threads < 1 || threads > MAX_SLOTS) throw new CliError(`--threads must be from 1 to ${MAX_SLOTS}, got ${threads}`);
  const httpPort = values['http-port'] === undefined ? undefined : parseCount(values['http-port'], '--http-port');
  if (httpPort !== undefined && httpPort > 65_535) throw new CliError(`--http-port must be from 0 to 65535, got ${httpPort}`);

  const out = values.json ? jsonLines() : logLines(createLogger());
  const pool = new MinerPool({ threads });
  const miner = new StratumMiner(pool, { urls, user: values.user, password: values.pass });
  const startedAt = performance.now();
  const uptime = () => Math.round((performance.now() - startedAt) / 100) / 10;
  const report = () => ({ ...miner.stats(), hashrate: pool.hashRates(), threads: pool.threads, uptimeSeconds: uptime() });

  try {
    await pool.start();
  } catch (err) {
    throw new CliError(`cannot start the miner: ${(err as Error).message}`, 1);
  }
  for (const event of ['connected', 'disconnected', 'unreachable', 'job', 'share', 'message'] as const) {
    miner.on(event, ((payload: unknown) => out.event(event, payload)) as never);
  }
  miner.start();

  let http: RunningHttpServer | undefined;
  if (httpPort !== undefined) {
    const metrics = createMinerClientMetrics(
      { workerHashes: () => pool.workerHashes(), hashRates: () => pool.hashRates(), miningWorkers: () => pool.miningWorkers() },
      () => miner.stats(),
    );
    const app = createMinerApp(
      {
        status: () => minerStatus(report()),
        mining: () => miningSummary(pool, miner, uptime()),
        metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metricsText() }),
      },
      (err) => out.event('message', `http: ${err instanceof Error ? err.message : String(err)}`),
    );
    try {
      http = await startHttpServer(app, { host: values['http-host'], port: httpPort });
    } catch (err) {
      await miner.stop();
      await pool.close();
      throw new CliError(`cannot serve --http-port ${httpPort}: ${(err as Error).message}`, 1);
    }
    out.event('http', { url: http.url });
  }

  const timer = setInterval(() => out.status(report()), values.json ? STATUS_EVERY_MS : out.live ? 1000 : 30_000);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT')).once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second signal while stopping means "now".
  process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
  clearInterval(timer);
  await miner.stop();
  await pool.close();
  await http?.close();
  out.event('stopped', { signal, ...report() });
  out.close();
  return 0;
}

type Report = ReturnType<StratumMiner['stats']> & { hashrate: HashRates; threads: number; uptimeSeconds: number };

interface Output {
  readonly live: boolean;
  event(name: keyof StratumMinerEvents | 'http' | 'stopped', payload: unknown): void;
  status(report: Report): void;
  close(): void;
}

/** --json: one object per line on stdout, for scripts and tests. */
function jsonLines(): Output {
  const write = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  return {
    live: false,
    event: (name, payload) => write({ event: name, at: Date.now(), ...(typeof payload === 'string' ? { text: payload } : (payload as object)) }),
    status: (report) => write({ event: 'status', at: Date.now(), ...report }),
    close: () => {},
  };
}

/** A terminal: log lines above a live status line; elsewhere plain timestamped lines. */
function logLines(log: Logger): Output {
  return {
    live: log.live,
    event(name, payload) {
      const p = payload as Record<string, unknown>;
      switch (name) {
        case 'connected':
          return log.info(`pool: connected to ${p.url} (extranonce1 ${p.extranonce1})`);
        case 'disconnected':
          return log.warn(`pool: ${p.url}: ${p.reason}`);
        case 'unreachable':
          return log.warn(`pool: none reachable (${(p.errors as string[]).join('; ')}); next try in ${Math.round((p.retryInMs as number) / 1000)} s`);
        case 'job':
          return p.clean ? log.info(`pool: new block to mine (job ${p.jobId}, difficulty ${p.difficulty})`) : undefined;
        case 'share':
          return p.accepted ? log.info(`share accepted (difficulty ${p.difficulty}${p.block ? ', a block' : ''})`) : log.warn(`share rejected: ${p.reason}`);
        case 'message':
          return log.info(String(payload));
        case 'http':
          return log.info(`http: listening on ${p.url}`);
        case 'stopped':
          return log.info(`${p.signal}: stopped; ${p.accepted} share(s) accepted, ${p.rejected} rejected`);
      }
    },
    status(r) {
      const rates = [r.hashrate['10s'], r.hashrate['60s'], r.hashrate['15m']].map(formatRate).join(' ');
      const pool = r.url ? r.url.replace(/^stratum\+tcp:\/\//, '') : 'connecting…';
      log.status(`pool ${pool} | diff ${r.difficulty ?? 'n/a'} | shares ${r.accepted}/${r.rejected} | ${rates} MH/s`);
    },
    close: () => log.close(),
  };
}

const formatRate = (rate: number | null) => (rate === null ? 'n/a' : (rate / 1e6).toFixed(2));

function minerStatus(r: Report): MinerStatus {
  return {
    pool: { url: r.url, connected: r.connected, difficulty: r.difficulty, jobId: r.jobId, reconnects: r.reconnects },
    shares: { accepted: r.accepted, rejected: r.rejected, acceptedDifficulty: r.acceptedDifficulty, blocksFound: r.blocksFound, lastShareAt: r.lastShareAt },
    hashrate: r.hashrate,
    threads: r.threads,
    uptimeSeconds: r.uptimeSeconds,
  };
}

/** The node's /mining shape, so the same dashboards and scripts read a miner process too. */
function miningSummary(pool: MinerPool, miner: StratumMiner, uptimeSeconds: number): MiningSummary {
  const triple = (r: HashRates): [number | null, number | null, number | null] => [r['10s'], r['60s'], r['15m']];
  const job = miner.currentJob();
  return {
    paused: pool.paused,
    threads: pool.threads,
    kernel: defaultFlavor(),
    hashrate: { total: triple(pool.hashRates()), highest: pool.peakHashRate10s, threads: pool.workerRates().map((w) => triple(w.rates)) },
    hashesTotal: pool.totalHashes(),
    blocksFound: miner.stats().blocksFound,
    job: job && { id: job.jobId, height: null, target: toDisplayHex(job.target), bits: job.bits.toString(16).padStart(8, '0'), difficulty: job.difficulty },
    uptimeSeconds,
  };
}
