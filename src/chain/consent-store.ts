import type { ConsentAction, ConsentExpiry } from './tx.js';

/**
 * The patients' side of the ledger state: enrolments by subject, consents by txid and by
 * (subject, grantee), their revocations, and the access log by subject. LedgerState owns one; every
 * write goes through the journal it is given (a block's undo), and with a parent the store is an
 * overlay (the mempool's view): reads fall through, writes stay here.
 */

/** A subject pseudonym linked to the patient key that consents for it. */
export interface Enrolment {
  subject: string;
  /** The patient's public key (hex). */
  patient: string;
  /** The provider that signed the enrolment. */
  provider: string;
  txid: string;
  height: number;
  time: number;
}

export interface Revocation {
  txid: string;
  height: number;
  time: number;
}

/** A consent as granted, and its revocation once there is one. */
export interface ConsentRecord {
  txid: string;
  subject: string;
  /** The patient key that signed it. */
  patient: string;
  /** The provider key it is for. */
  grantee: string;
  /** Canonical order: read, append, amend. */
  actions: readonly ConsentAction[];
  /** Empty: every resource type. */
  resourceTypes: readonly string[];
  /** Empty: any purpose. */
  purposes: readonly string[];
  expiry: ConsentExpiry | null;
  /** The block that granted it. */
  height: number;
  time: number;
  revoked: Revocation | null;
}

/** One logged read of a record: under a consent, by the record's owner, or break-glass. */
export interface AccessEntry {
  txid: string;
  subject: string;
  provider: string;
  record: string;
  resourceType: string;
  purpose: string;
  /** The consent that allowed it; null for the owner's own reads and for break-glass. */
  consent: string | null;
  /** An emergency read (purpose ETREAT) that no consent covered. */
  breakGlass: boolean;
  height: number;
  time: number;
}

export type Journal = (undo: () => void) => void;

/** The reads, for those outside the rules (the API): nothing here can change the state. */
export type ConsentReader = Pick<ConsentStore, 'enrolment' | 'consent' | 'between' | 'ofSubject' | 'accessCount' | 'accessPage'>;

export class ConsentStore {
  private readonly enrolments = new Map<string, Enrolment>();
  private readonly consents = new Map<string, ConsentRecord>();
  /** Txids granted here (not in the parent), by pair and by subject, oldest first. */
  private readonly byPair = new Map<string, string[]>();
  private readonly bySubject = new Map<string, string[]>();
  private readonly access = new Map<string, AccessEntry[]>();

  constructor(
    private readonly parent: ConsentStore | undefined,
    private readonly journal: Journal,
  ) {}

  enrolment(subject: string): Enrolment | undefined {
    return this.enrolments.get(subject) ?? this.parent?.enrolment(subject);
  }

  consent(txid: string): ConsentRecord | undefined {
    return this.consents.get(txid) ?? this.parent?.consent(txid);
  }

  /** Consents granted by `subject`'s patient to `grantee`, oldest first: what the check scans. */
  between(subject: string, grantee: string): ConsentRecord[] {
    return this.resolve(this.pairIds(pairKey(subject, grantee)));
  }

  /** Every consent granted for `subject`, oldest first. */
  ofSubject(subject: string): ConsentRecord[] {
    return this.resolve(this.subjectIds(subject));
  }

  /** How many accesses `subject`'s records have had. */
  accessCount(subject: string): number {
    return (this.parent?.accessCount(subject) ?? 0) + (this.access.get(subject)?.length ?? 0);
  }

  /** Up to `limit` access entries older than position `before` (default: all), newest first. */
  accessPage(subject: string, before: number | undefined, limit: number): AccessEntry[] {
    const total = this.accessCount(subject);
    const end = Math.min(before ?? total, total);
    const page: AccessEntry[] = [];
    for (let i = end - 1; i >= 0 && page.length < limit; i--) page.push(this.accessAt(subject, i));
    return page;
  }

  // ---- writes: each one journaled ----

  enrol(enrolment: Enrolment): void {
    const { subject } = enrolment;
    const before = this.enrolments.get(subject);
    this.enrolments.set(subject, enrolment);
    this.journal(() => (before ? this.enrolments.set(subject, before) : this.enrolments.delete(subject)));
  }

  grant(consent: ConsentRecord): void {
    this.setConsent(consent);
    push(this.byPair, pairKey(consent.subject, consent.grantee), consent.txid, this.journal);
    push(this.bySubject, consent.subject, consent.txid, this.journal);
  }

  revoke(txid: string, revocation: Revocation): void {
    const consent = this.consent(txid);
    if (!consent) throw new Error(`revoke: no consent ${txid}`); // the rule checked it exists
    this.setConsent({ ...consent, revoked: revocation });
  }

  logAccess(entry: AccessEntry): void {
    push(this.access, entry.subject, entry, this.journal);
  }

  private setConsent(consent: ConsentRecord): void {
    const { txid } = consent;
    const before = this.consents.get(txid);
    this.consents.set(txid, consent);
    this.journal(() => (before ? this.consents.set(txid, before) : this.consents.delete(txid)));
  }

  private pairIds(key: string): string[] {
    const own = this.byPair.get(key);
    const inherited = this.parent?.pairIds(key);
    return inherited && own ? [...inherited, ...own] : (own ?? inherited ?? []);
  }

  private subjectIds(subject: string): string[] {
    const own = this.bySubject.get(subject);
    const inherited = this.parent?.subjectIds(subject);
    return inherited && own ? [...inherited, ...own] : (own ?? inherited ?? []);
  }

  private resolve(ids: readonly string[]): ConsentRecord[] {
    return ids.map((id) => this.consent(id)!);
  }

  private accessAt(subject: string, index: number): AccessEntry {
    const inherited = this.parent?.accessCount(subject) ?? 0;
    return index < inherited ? this.parent!.accessAt(subject, index) : this.access.get(subject)![index - inherited]!;
  }
}

function pairKey(subject: string, grantee: string): string {
  return `${subject}:${grantee}`;
}

/** Append to a list in a map, journaled as the pop that undoes it. */
function push<T>(map: Map<string, T[]>, key: string, value: T, journal: Journal): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
  journal(() => {
    list.pop();
    if (list.length === 0) map.delete(key);
  });
}
