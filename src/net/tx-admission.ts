import type { Chain } from '../chain/chain.js';
import { penaltyOf, type PenaltyClass, type RejectReason } from '../chain/errors.js';
import type { MempoolJournal } from '../store/mempool-journal.js';

/**
 * The one door for transactions, as the node's durable admission path (src/node/admission.ts, being
 * built in parallel) will offer it. The network programs against this interface only; until that
 * module lands, ChainTxAdmission below stands in for it (swap it in full-node.ts).
 */
export type TxSource = 'api' | 'peer';

export type AdmissionOutcome =
  | { status: 'accepted'; txid: string }
  /** Already pending or mined: IGNORE, no penalty. */
  | { status: 'known'; txid: string }
  | { status: 'rejected'; txid?: string; reason: RejectReason; message: string; penalty: PenaltyClass }
  /** The node's disk failed: IGNORE. */
  | { status: 'unavailable'; txid?: string; message: string; retryAfterSeconds: number };

export interface TxAdmission {
  admit(raw: Uint8Array, source: TxSource): Promise<AdmissionOutcome>;
}

const KNOWN: ReadonlySet<RejectReason> = new Set(['already-in-mempool', 'duplicate']);

/**
 * Stand-in admission over chain.acceptTransaction and the mempool journal: validated into the
 * mempool, then journaled (fsync'd) before the outcome says accepted, as POST /txs does.
 */
export class ChainTxAdmission implements TxAdmission {
  constructor(
    private readonly chain: Chain,
    private readonly journal: MempoolJournal,
  ) {}

  async admit(raw: Uint8Array, _source: TxSource): Promise<AdmissionOutcome> {
    const result = this.chain.acceptTransaction(raw);
    if (!result.accepted) {
      if (KNOWN.has(result.reason)) return { status: 'known', txid: result.txid ?? '' };
      return { status: 'rejected', ...(result.txid ? { txid: result.txid } : {}), reason: result.reason, message: result.message, penalty: penaltyOf(result.reason, 'tx') };
    }
    try {
      await this.journal.append(raw);
    } catch (err) {
      return { status: 'unavailable', txid: result.txid, message: `journal: ${(err as Error).message}`, retryAfterSeconds: 5 };
    }
    return { status: 'accepted', txid: result.txid };
  }
}
