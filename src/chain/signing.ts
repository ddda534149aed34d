import { randomBytes } from 'node:crypto';
import { sha256, sha256d, fromHex } from './hash.js';
import { publicKeyOf, signMessage, verifySignature } from './keys.js';
import { encodeUnsigned, SIGNATURE_BYTES, type CustodyTx, type RecordRelation, type RecordTx, type SignedTx, type TransferTx } from './tx.js';

/**
 * Signing and building transactions: what a CLI client needs. The signature covers a
 * domain-separated digest that names the network, so a transaction signed for `test` is invalid on `dev`.
 */

/** What signing needs to know about a network: its name (part of the signed domain). */
export interface NetworkId {
  name: string;
}

const DOMAIN = Buffer.from('carechain/tx/v1\0', 'utf8');

export function signingDigest(tx: SignedTx, network: NetworkId): Uint8Array {
  const name = Buffer.from(network.name + '\0', 'utf8');
  return sha256d(Buffer.concat([DOMAIN, name, encodeUnsigned(tx)]));
}

/** Sign in place and return the transaction; the private key must belong to `tx.sender`. */
export function signTx<T extends SignedTx>(tx: T, privateKeyHex: string, network: NetworkId): T {
  tx.signature = signMessage(privateKeyHex, signingDigest(tx, network));
  return tx;
}

export function verifyTxSignature(tx: SignedTx, network: NetworkId): boolean {
  return verifySignature(tx.sender, signingDigest(tx, network), tx.signature);
}

/** The salted commitment a record anchors: SHA-256(salt ‖ document). */
export function commitmentOf(salt: Uint8Array, document: Uint8Array): Uint8Array {
  return sha256(salt, document);
}

/** A fresh 32-byte salt: without one, a small document could be guessed from its hash. */
export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

interface SignedArgs {
  network: NetworkId;
  /** Hex private seed of the sender. */
  privateKey: string;
  /** The sender account's next sequence number. */
  sequence: number;
  fee: number;
}

export function buildTransfer(args: SignedArgs & { recipient: string; amount: number }): TransferTx {
  const tx: TransferTx = {
    kind: 'transfer',
    ...signedFields(args),
    recipient: fromHex(args.recipient, 32),
    amount: args.amount,
  };
  return signTx(tx, args.privateKey, args.network);
}

export function buildRecord(
  args: SignedArgs & {
    subject: Uint8Array;
    resourceType: string;
    commitment: Uint8Array;
    locator: string;
    previous?: { txid: Uint8Array; relation: RecordRelation };
  },
): RecordTx {
  const tx: RecordTx = {
    kind: 'record',
    ...signedFields(args),
    subject: args.subject,
    resourceType: args.resourceType,
    commitment: args.commitment,
    locator: args.locator,
  };
  if (args.previous) tx.previous = args.previous;
  return signTx(tx, args.privateKey, args.network);
}

export function buildCustody(args: SignedArgs & { record: Uint8Array; newOwner: string }): CustodyTx {
  const tx: CustodyTx = { kind: 'custody', ...signedFields(args), record: args.record, newOwner: fromHex(args.newOwner, 32) };
  return signTx(tx, args.privateKey, args.network);
}

function signedFields(args: SignedArgs) {
  return {
    sender: fromHex(publicKeyOf(args.privateKey), 32),
    sequence: args.sequence,
    fee: args.fee,
    signature: new Uint8Array(SIGNATURE_BYTES),
  };
}
