/** The ledger's public face: what the node, the HTTP layer, the miner and CLI clients import. */
export { Chain } from './chain.js';
export type { AdmissionResult, BlockInfo, ChainEvents, ChainOptions, SubmitResult, TipInfo, TxInfo } from './chain-types.js';
export { VerifyError, type RejectReason } from './errors.js';
export { BlockTemplate, type MiningWork } from './template.js';
export { networks, getNetwork, defineNetwork, subsidyAt, COIN, type Network, type NetworkName } from './network.js';
export { generateKeyPair, publicKeyOf, type KeyPair } from './keys.js';
export { buildTransfer, buildRecord, buildCustody, signTx, verifyTxSignature, commitmentOf, newSalt } from './signing.js';
export { encodeTx, decodeTx, txid, txidHex, type Transaction, type SignedTx, type TransferTx, type RecordTx, type CustodyTx, type CoinbaseTx } from './tx.js';
export { encodeBlock, decodeBlock, blockHashHex, type Block } from './block.js';
export { encodeHeader, decodeHeader, headerHash, type BlockHeader } from './header.js';
export { bitsToTarget, targetToBits, targetToBytes, hashMeetsTarget, blockWork, difficulty } from './target.js';
export { verifyReceipt, type Receipt, type ReceiptVerdict } from './receipt.js';
export { toHex, fromHex, toDisplayHex, fromDisplayHex, sha256d } from './hash.js';
export type { Account, RecordState, AuditEntry } from './state.js';
export type { MempoolEntry, MempoolLimits } from './mempool.js';
