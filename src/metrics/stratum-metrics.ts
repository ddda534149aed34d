import { Counter, Gauge, type Registry } from 'prom-client';

/** How the Stratum server answered a share: the `result` label of carechain_stratum_shares_total. */
export type ShareResult = 'accepted' | 'stale' | 'duplicate' | 'low-difficulty' | 'invalid' | 'unauthorized';
export const SHARE_RESULTS: readonly ShareResult[] = ['accepted', 'stale', 'duplicate', 'low-difficulty', 'invalid', 'unauthorized'];

/** What the Stratum server records as it happens; sessions are read at scrape time. */
export interface StratumRecorder {
  /** One answered mining.submit; `difficulty` is the share difficulty the session was set to. */
  share(result: ShareResult, difficulty: number): void;
  /** A share met the network target and went to the chain as a block (whatever the chain then said). */
  blockFound(): void;
}

/**
 * The Stratum server's metrics. Blocks the chain accepted from Stratum miners are already counted by
 * carechain_blocks_accepted_total{source="stratum"} from the chain's own event; blocks found counts
 * what miners found, so the two side by side show blocks the chain refused or lost in a race.
 * rate(carechain_stratum_accepted_difficulty_total[5m]) × 2^32 is the farm's hash rate.
 */
export function registerStratumMetrics(registry: Registry, sessions: () => number): StratumRecorder {
  const registers = [registry];
  const sessionGauge: Gauge = new Gauge({
    name: 'carechain_stratum_sessions',
    help: 'Stratum connections open now (subscribed or not).',
    registers,
    collect() {
      try {
        sessionGauge.set(sessions());
      } catch {
        // The gauge keeps its last value: a failing read must not fail the scrape.
      }
    },
  });
  const shares = new Counter({
    name: 'carechain_stratum_shares_total',
    help: 'Shares Stratum miners submitted, by how the server answered.',
    labelNames: ['result'],
    registers,
  });
  const difficulty = new Counter({
    name: 'carechain_stratum_accepted_difficulty_total',
    help: 'Sum of the share difficulty of accepted shares: × 2^32 per second is the hash rate behind them.',
    registers,
  });
  const blocks = new Counter({
    name: 'carechain_stratum_blocks_found_total',
    help: 'Shares that met the network target and were submitted to the chain as blocks.',
    registers,
  });
  // Bound children: a share is counted without building a label object (thousands a second).
  const byResult = new Map(SHARE_RESULTS.map((result) => [result, shares.labels({ result })]));
  for (const child of byResult.values()) child.inc(0);
  return {
    share(result, d) {
      (byResult.get(result) ?? byResult.get('invalid')!).inc();
      if (result === 'accepted' && d > 0 && Number.isFinite(d)) difficulty.inc(d);
    },
    blockFound: () => blocks.inc(),
  };
}
