/** What one node's Stratum server takes from miners at most (flags and config keys set them). */
export interface StratumLimits {
  /** Connections open at once, all addresses together. */
  maxSessions: number;
  /** Connections open at once from one address. */
  maxSessionsPerAddress: number;
  /** No share difficulty below this, whatever vardiff or a miner asks (0.0001 ≈ 430,000 hashes a share). */
  minDifficulty: number;
}

export const DEFAULT_STRATUM_LIMITS: StratumLimits = { maxSessions: 1024, maxSessionsPerAddress: 64, minDifficulty: 0.0001 };
