import type { Libp2p, PeerId, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { VerifyError } from '../chain/errors.js';
import type { NetworkRecorder, RequestResult } from './network-recorder.js';
import type { BanReason } from './ban-list.js';
import { MAX_INBOUND_STREAMS_PER_PROTOCOL, MAX_REQUEST_BYTES, MAX_REQUESTS_IN_FLIGHT_PER_PEER, REQUEST_TIMEOUT_MS } from './limits.js';
import type { PeerAction } from './peer-scores.js';
import type { ReqRespName, WireNames } from './protocols.js';
import type { RequestQuotas } from './request-quotas.js';
import { decodeCount, encodeCount, ResponseStatus, type ResponseStatusCode } from './wire.js';

/**
 * Request/response over libp2p streams, one stream per exchange: the client writes one
 * length-prefixed request; the server answers one length-prefixed message whose first byte is a
 * status (wire.ts) and, for list answers, a count followed by that many length-prefixed items.
 * Every exchange has a deadline, every message a size cap, every peer a quota per protocol and a
 * cap on requests in flight. Nothing a peer sends here can throw past this module.
 */

/** A served protocol: what a request costs against the quota, and the answer. */
export interface ServedProtocol {
  /** Quota units a request costs (default 1): e.g. the number of blocks asked for. */
  units?(request: Uint8Array): number;
  /** Throw a VerifyError for a bad request (answered "invalid request", sender penalised). */
  handle(peer: string, request: Uint8Array): Promise<Answer> | Answer;
}

export type Answer = { payload: Uint8Array } | { items: Uint8Array[] } | { status: ResponseStatusCode };

export interface RequestOptions {
  /** The largest answer message accepted (an item, for list answers). */
  maxResponseBytes: number;
  /** A list answer: at most this many items. */
  maxItems?: number;
  timeoutMs?: number;
}

export type Response = { payload: Uint8Array; items: Uint8Array[] };

/** Why a request failed: the caller decides what it says about the peer. */
export class RequestFailure extends Error {
  override name = 'RequestFailure';
  constructor(
    readonly kind: 'timeout' | 'rate-limited' | 'refused' | 'malformed' | 'busy' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

export interface ReqRespOptions {
  libp2p: Libp2p;
  names: WireNames;
  quotas: RequestQuotas;
  metrics: NetworkRecorder;
  /** A peer broke the rules of an exchange it started or answered. */
  penalise(peer: string, action: PeerAction, reason: BanReason): void;
  /** Whether a peer may use a data protocol yet (its status is known and on our network). */
  admitted(peer: string, protocol: ReqRespName): boolean;
  onError?(message: string): void;
}

export class ReqResp {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: ReqRespOptions) {}

  /** Register the server side of a protocol. */
  async serve(name: ReqRespName, protocol: ServedProtocol): Promise<void> {
    const { libp2p, names } = this.options;
    await libp2p.handle(names.protocols[name], (stream, connection) => this.answer(name, protocol, stream, connection.remotePeer.toString()), {
      maxInboundStreams: MAX_INBOUND_STREAMS_PER_PROTOCOL,
    });
  }

  /** Requests this node has open to a peer right now. */
  requestsInFlight(peer: string): number {
    return this.inFlight.get(peer) ?? 0;
  }

  /** Make a request; resolves with the answer or rejects with a RequestFailure. */
  async request(peer: PeerId, name: ReqRespName, request: Uint8Array, options: RequestOptions): Promise<Response> {
    const key = peer.toString();
    const open = this.requestsInFlight(key);
    if (open >= MAX_REQUESTS_IN_FLIGHT_PER_PEER) throw new RequestFailure('busy', `${open} requests already in flight`);
    this.inFlight.set(key, open + 1);
    const signal = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS[name]);
    let stream: Stream | undefined;
    let result: RequestResult = 'error';
    try {
      try {
        stream = await this.options.libp2p.dialProtocol(peer, this.options.names.protocols[name], { signal });
      } catch (err) {
        if (signal.aborted) throw new RequestFailure('timeout', `${name}: no stream within the deadline`);
        throw new RequestFailure('unreachable', `${name}: ${(err as Error).message}`);
      }
      const lp = lpStream(stream, { maxDataLength: options.maxResponseBytes + 1 });
      const response = await readAnswer(lp, request, options, signal, name);
      result = 'ok';
      await stream.close({ signal }).catch(() => undefined);
      return response;
    } catch (err) {
      const failure = asFailure(err, signal, name);
      result = failure.kind === 'timeout' ? 'timeout' : failure.kind === 'rate-limited' ? 'rate-limited' : 'error';
      stream?.abort(failure);
      throw failure;
    } finally {
      const left = this.requestsInFlight(key) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
      this.options.metrics.request(name, 'client', result);
    }
  }

  private async answer(name: ReqRespName, protocol: ServedProtocol, stream: Stream, peer: string): Promise<void> {
    const { quotas, metrics, penalise } = this.options;
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS[name]);
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
    let result: RequestResult = 'error';
    try {
      let request: Uint8Array;
      try {
        request = (await lp.read({ signal })).subarray();
      } catch (err) {
        if (signal.aborted) {
          result = 'timeout';
          stream.abort(new Error('no request within the deadline'));
          return;
        }
        // An oversized or broken length prefix: the sender is not speaking the protocol. (A stream
        // reset or closed early is no offence: the peer may be going away.)
        if (isSizeError(err)) penalise(peer, 'low', 'malformed');
        stream.abort(err as Error);
        return;
      }
      let answer: Answer;
      if (!this.options.admitted(peer, name)) {
        answer = { status: ResponseStatus.unavailable };
      } else if (!quotas.take(peer, name, unitsOf(protocol, request))) {
        result = 'rate-limited';
        penalise(peer, 'mid', 'rate-limit');
        answer = { status: ResponseStatus.rateLimited };
      } else {
        try {
          answer = await protocol.handle(peer, request);
          result = 'ok';
        } catch (err) {
          if (err instanceof VerifyError) {
            penalise(peer, 'low', 'malformed');
            answer = { status: ResponseStatus.invalidRequest };
          } else {
            this.options.onError?.(`p2p: serving ${name}: ${(err as Error).stack ?? String(err)}`);
            answer = { status: ResponseStatus.serverError };
          }
        }
      }
      await writeAnswer(lp, answer, signal);
      await stream.close({ signal });
    } catch (err) {
      if (signal.aborted) result = 'timeout';
      else this.options.onError?.(`p2p: serving ${name}: ${(err as Error).message}`);
      stream.abort(err as Error);
    } finally {
      metrics.request(name, 'server', result);
    }
  }
}

type Lp = ReturnType<typeof lpStream>;

async function readAnswer(lp: Lp, request: Uint8Array, options: RequestOptions, signal: AbortSignal, name: ReqRespName): Promise<Response> {
  await lp.write(request, { signal });
  const first = (await lp.read({ signal })).subarray();
  if (first.length === 0) throw new RequestFailure('malformed', `${name}: an empty answer`);
  const status = first[0]!;
  if (status === ResponseStatus.rateLimited) throw new RequestFailure('rate-limited', `${name}: rate limited by the peer`);
  if (status !== ResponseStatus.ok) throw new RequestFailure('refused', `${name}: refused with status ${status}`);
  const payload = first.subarray(1);
  if (options.maxItems === undefined) return { payload, items: [] };
  const count = decodeCount(payload, options.maxItems);
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) items.push((await lp.read({ signal })).subarray());
  return { payload, items };
}

async function writeAnswer(lp: Lp, answer: Answer, signal: AbortSignal): Promise<void> {
  if ('status' in answer) return lp.write(Uint8Array.of(answer.status), { signal });
  if ('payload' in answer) return lp.write(prefixed(answer.payload), { signal });
  await lp.writeV([prefixed(encodeCount(answer.items.length)), ...answer.items], { signal });
}

function prefixed(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = ResponseStatus.ok;
  out.set(payload, 1);
  return out;
}

function unitsOf(protocol: ServedProtocol, request: Uint8Array): number {
  try {
    return Math.max(1, protocol.units?.(request) ?? 1);
  } catch {
    return 1; // a request too broken to count is refused by its handler
  }
}

function asFailure(err: unknown, signal: AbortSignal, name: ReqRespName): RequestFailure {
  if (err instanceof RequestFailure) return err;
  if (signal.aborted) return new RequestFailure('timeout', `${name}: no answer within the deadline`);
  if (err instanceof VerifyError) return new RequestFailure('malformed', `${name}: ${err.message}`);
  if (isSizeError(err)) return new RequestFailure('malformed', `${name}: an answer over the size cap`);
  return new RequestFailure('unreachable', `${name}: ${(err as Error).message}`);
}

/** A length prefix over the cap, or not a length prefix at all (@libp2p/utils' lpStream errors). */
function isSizeError(err: unknown): boolean {
  const name = (err as Error | undefined)?.name;
  return name === 'InvalidDataLengthError' || name === 'InvalidMessageLengthError' || name === 'InvalidDataLengthLengthError';
}
