import { ConsentStore } from './consent-store.js';
import { applyTx } from './rules/registry.js';
import type { RecordRelation, Transaction } from './tx.js';

/**
 * The ledger state the chain's transactions build: accounts, records and the audit trail by subject.
 * The rules live in src/chain/rules/, one module per transaction kind; this holds the data and the
 * journaled writes they make. A state can journal its changes (undo a block on a reorg) or be an
 * overlay on another state (the mempool's view of "chain + pending").
 */

export interface Account {
  /** Everything the account holds, locked coinbase rewards included. */
  balance: number;
  /** The sequence number the account's next transaction must carry. */
  sequence: number;
  /** Coinbase rewards not yet mature: each spendable from `height + coinbaseMaturity` on. */
  immature: ReadonlyArray<{ height: number; amount: number }>;
}

export interface CustodyChange {
  txid: string;
  from: string;
  to: string;
  height: number;
}

export interface RecordState {
  txid: string;
  /** Who signed the record (hex public key). */
  provider: string;
  /** Who may amend or hand it on now. */
  owner: string;
  subject: string;
  resourceType: string;
  commitment: string;
  locator: string;
  previous?: { txid: string; relation: RecordRelation };
  /** Records amending this one, oldest first. */
  amendments: string[];
  replacedBy?: string;
  custody: CustodyChange[];
  height: number;
  time: number;
}

export interface AuditEntry {
  txid: string;
  kind: 'record' | 'amendment' | 'custody';
  /** The record the event concerns (for a new record: itself). */
  record: string;
  actor: string;
  resourceType: string;
  height: number;
  time: number;
  /** For an amendment by a provider who does not own the record: the patient's consent it relied on. */
  consent?: string;
}

/** Where a transaction sits: what the state records about it. */
export interface TxContext {
  txid: string;
  /** The height of the block the transaction is in (for the mempool: the next block's). */
  height: number;
  /** That block's time (for the mempool: the node's clock). */
  time: number;
  /** Blocks before a coinbase reward may be spent (the network's rule). */
  coinbaseMaturity: number;
}

export type UndoLog = Array<() => void>;

const EMPTY_ACCOUNT: Account = Object.freeze({ balance: 0, sequence: 0, immature: Object.freeze([]) });

export class LedgerState {
  private readonly accounts = new Map<string, Account>();
  private readonly records = new Map<string, RecordState>();
  private readonly audit = new Map<string, AuditEntry[]>();
  private journal: UndoLog | null = null;
  /** Enrolments, consents and the access log (consent-store.ts), journaled with everything else. */
  readonly consents: ConsentStore;

  /** With a parent, reads fall through to it and writes stay here (copy-on-write). */
  constructor(private readonly parent?: LedgerState) {
    this.consents = new ConsentStore(parent?.consents, (undo) => this.journal?.push(undo));
  }

  account(key: string): Account {
    return this.accounts.get(key) ?? this.parent?.account(key) ?? EMPTY_ACCOUNT;
  }

  record(txid: string): RecordState | undefined {
    return this.records.get(txid) ?? this.parent?.record(txid);
  }

  /** Events about a subject's records, oldest first. */
  auditTrail(subject: string): AuditEntry[] {
    const own = this.audit.get(subject) ?? [];
    return this.parent ? [...this.parent.auditTrail(subject), ...own] : own.slice();
  }

  /** Start journaling: every change from here until `endUndo` can be reverted by `undo`. */
  beginUndo(): void {
    this.journal = [];
  }

  endUndo(): UndoLog {
    const log = this.journal ?? [];
    this.journal = null;
    return log;
  }

  undo(log: UndoLog): void {
    for (let i = log.length - 1; i >= 0; i--) log[i]!();
  }

  /**
   * Apply one transaction, or throw a VerifyError and change nothing: the rules of its kind
   * (src/chain/rules/). Coinbase value is checked by the block.
   */
  applyTransaction(tx: Transaction, ctx: TxContext): void {
    applyTx(this, tx, ctx);
  }

  // ---- the writes rules make: each one journaled, so a block's changes can be undone ----

  setAccount(key: string, value: Account): void {
    const before = this.accounts.get(key);
    this.accounts.set(key, value);
    this.journal?.push(() => (before ? this.accounts.set(key, before) : this.accounts.delete(key)));
  }

  setRecord(key: string, value: RecordState): void {
    const before = this.records.get(key);
    this.records.set(key, value);
    this.journal?.push(() => (before ? this.records.set(key, before) : this.records.delete(key)));
  }

  appendAudit(subject: string, entry: AuditEntry): void {
    let trail = this.audit.get(subject);
    if (!trail) this.audit.set(subject, (trail = []));
    trail.push(entry);
    this.journal?.push(() => {
      trail.pop();
      if (trail.length === 0) this.audit.delete(subject);
    });
  }
}
