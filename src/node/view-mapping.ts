import { encodeBlock, type Block } from '../chain/block.js';
import type { BlockInfo } from '../chain/chain-types.js';
import { toDisplayHex, toHex } from '../chain/hash.js';
import { assertNever, encodeTx, txidHex, type Transaction } from '../chain/tx.js';
import type { BlockSummary, BlockView, TransactionView } from '../http/response-schemas.js';

/**
 * Ledger objects as the API's JSON (src/http/views.ts). Hashes and txids are display hex (byte-
 * reversed, as Bitcoin shows them); keys, subjects and commitments are plain hex, as the ledger
 * state keeps them.
 */

export function transactionView(tx: Transaction): TransactionView {
  const base = { txid: txidHex(tx), kind: tx.kind, size: encodeTx(tx).length };
  switch (tx.kind) {
    case 'coinbase':
      return { ...base, height: tx.height, recipient: toHex(tx.recipient), value: tx.value, extranonce1: tx.extranonce1, extranonce2: tx.extranonce2 };
    case 'transfer':
      return { ...base, ...signed(tx), recipient: toHex(tx.recipient), amount: tx.amount };
    case 'record':
      return {
        ...base,
        ...signed(tx),
        subject: toHex(tx.subject),
        resourceType: tx.resourceType,
        commitment: toHex(tx.commitment),
        locator: tx.locator,
        ...(tx.previous ? { previous: { txid: toDisplayHex(tx.previous.txid), relation: tx.previous.relation } } : {}),
      };
    case 'custody':
      return { ...base, ...signed(tx), record: toDisplayHex(tx.record), newOwner: toHex(tx.newOwner) };
    case 'enrol':
      return { ...base, ...signed(tx), subject: toHex(tx.subject), patient: toHex(tx.patient), patientSignature: toHex(tx.patientSignature) };
    case 'consent':
      return {
        ...base,
        ...signed(tx),
        subject: toHex(tx.subject),
        grantee: toHex(tx.grantee),
        actions: tx.actions,
        resourceTypes: tx.resourceTypes,
        purposes: tx.purposes,
        expiry: tx.expiry ?? null,
      };
    case 'revoke':
      return { ...base, ...signed(tx), consent: toDisplayHex(tx.consent) };
    case 'access':
      return { ...base, ...signed(tx), record: toDisplayHex(tx.record), purpose: tx.purpose };
    default:
      return assertNever(tx);
  }
}

function signed(tx: { sender: Uint8Array; sequence: number; fee: number; signature: Uint8Array }) {
  return { sender: toHex(tx.sender), sequence: tx.sequence, fee: tx.fee, signature: toHex(tx.signature) };
}

export function blockSummary(info: BlockInfo): BlockSummary {
  return { hash: info.hash, height: info.height, time: info.block.header.time, txCount: info.block.txs.length, size: blockSize(info.block) };
}

export function blockView(info: BlockInfo): BlockView {
  const h = info.block.header;
  return {
    hash: info.hash,
    height: info.height,
    confirmations: info.confirmations,
    size: blockSize(info.block),
    header: {
      version: h.version,
      prevHash: toDisplayHex(h.prevHash),
      merkleRoot: toDisplayHex(h.merkleRoot),
      time: h.time,
      bits: bitsHex(h.bits),
      nonce: h.nonce,
    },
    txids: info.block.txs.map(txidHex),
  };
}

export function bitsHex(bits: number): string {
  return (bits >>> 0).toString(16).padStart(8, '0');
}

function blockSize(block: Block): number {
  return encodeBlock(block).length;
}
