import { ensure } from './errors.js';
import { toDisplayHex, toHex } from './hash.js';
import type { RecordRelation, Transaction } from './tx.js';

/**
 * The ledger state the chain's transactions build: accounts, records and the audit trail by subject.
 * `applyTransaction` holds every state rule (sequence, balance, record ownership) and checks them all
 * before it changes anything. A state can journal its changes (undo a block on a reorg) or be an
 * overlay on another state (the mempool's view of "chain + pending").
 */

export interface Account {
  balance: number;
  /** The sequence number the account's next transaction must carry. */
  sequence: number;
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
}

/** Where a transaction sits: what the state records about it. */
export interface TxContext {
  txid: string;
  height: number;
  time: number;
}

export type UndoLog = Array<() => void>;

const EMPTY_ACCOUNT: Account = Object.freeze({ balance: 0, sequence: 0 });

export class LedgerState {
  private readonly accounts = new Map<string, Account>();
  private readonly records = new Map<string, RecordState>();
  private readonly audit = new Map<string, AuditEntry[]>();
  private journal: UndoLog | null = null;

  /** With a parent, reads fall through to it and writes stay here (copy-on-write). */
  constructor(private readonly parent?: LedgerState) {}

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

  /** Apply one transaction, or throw a VerifyError and change nothing. Coinbase value is checked by the block. */
  applyTransaction(tx: Transaction, ctx: TxContext): void {
    if (tx.kind === 'coinbase') {
      this.credit(toHex(tx.recipient), tx.value);
      return;
    }
    const sender = toHex(tx.sender);
    const account = this.account(sender);
    ensure(tx.sequence === account.sequence, 'bad-sequence', `sequence ${tx.sequence}, account expects ${account.sequence}`);
    const spend = tx.fee + (tx.kind === 'transfer' ? tx.amount : 0);
    ensure(account.balance >= spend, 'insufficient-funds', `needs ${spend}, balance ${account.balance}`);

    if (tx.kind === 'record') {
      const previous = tx.previous ? this.ownedRecord(toDisplayHex(tx.previous.txid), sender) : undefined;
      const subject = toHex(tx.subject);
      if (previous) {
        ensure(previous.subject === subject, 'record-subject-mismatch', 'an amendment must keep the subject');
        ensure(
          !(tx.previous!.relation === 'replaces' && previous.replacedBy),
          'record-superseded',
          `record ${previous.txid} was already replaced by ${previous.replacedBy}`,
        );
      }
      this.setAccount(sender, { balance: account.balance - spend, sequence: account.sequence + 1 });
      const record: RecordState = {
        txid: ctx.txid,
        provider: sender,
        owner: sender,
        subject,
        resourceType: tx.resourceType,
        commitment: toHex(tx.commitment),
        locator: tx.locator,
        amendments: [],
        custody: [],
        height: ctx.height,
        time: ctx.time,
      };
      if (previous && tx.previous) {
        record.previous = { txid: previous.txid, relation: tx.previous.relation };
        const amended = { ...previous, amendments: [...previous.amendments, ctx.txid] };
        if (tx.previous.relation === 'replaces') amended.replacedBy = ctx.txid;
        this.setRecord(previous.txid, amended);
      }
      this.setRecord(ctx.txid, record);
      this.appendAudit(subject, { ...eventOf(ctx, sender, record), kind: previous ? 'amendment' : 'record', record: ctx.txid });
      return;
    }

    if (tx.kind === 'custody') {
      const record = this.ownedRecord(toDisplayHex(tx.record), sender);
      const to = toHex(tx.newOwner);
      this.setAccount(sender, { balance: account.balance - spend, sequence: account.sequence + 1 });
      const change: CustodyChange = { txid: ctx.txid, from: sender, to, height: ctx.height };
      this.setRecord(record.txid, { ...record, owner: to, custody: [...record.custody, change] });
      this.appendAudit(record.subject, { ...eventOf(ctx, sender, record), kind: 'custody', record: record.txid });
      return;
    }

    this.setAccount(sender, { balance: account.balance - spend, sequence: account.sequence + 1 });
    this.credit(toHex(tx.recipient), tx.amount);
  }

  private ownedRecord(txid: string, sender: string): RecordState {
    const record = this.record(txid);
    ensure(record, 'record-not-found', `no record ${txid}`);
    ensure(record.owner === sender, 'not-record-owner', `record ${txid} is owned by ${record.owner}`);
    return record;
  }

  private credit(key: string, amount: number): void {
    const account = this.account(key);
    const balance = account.balance + amount;
    ensure(Number.isSafeInteger(balance), 'bad-amount', 'balance overflow');
    this.setAccount(key, { balance, sequence: account.sequence });
  }

  private setAccount(key: string, value: Account): void {
    const before = this.accounts.get(key);
    this.accounts.set(key, value);
    this.journal?.push(() => (before ? this.accounts.set(key, before) : this.accounts.delete(key)));
  }

  private setRecord(key: string, value: RecordState): void {
    const before = this.records.get(key);
    this.records.set(key, value);
    this.journal?.push(() => (before ? this.records.set(key, before) : this.records.delete(key)));
  }

  private appendAudit(subject: string, entry: AuditEntry): void {
    let trail = this.audit.get(subject);
    if (!trail) this.audit.set(subject, (trail = []));
    trail.push(entry);
    this.journal?.push(() => {
      trail.pop();
      if (trail.length === 0) this.audit.delete(subject);
    });
  }
}

function eventOf(ctx: TxContext, actor: string, record: RecordState) {
  return { txid: ctx.txid, actor, resourceType: record.resourceType, height: ctx.height, time: ctx.time };
}
