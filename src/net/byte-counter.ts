import type { Metrics, MultiaddrConnection, Stream } from '@libp2p/interface';

/**
 * libp2p's metrics hook, used for one thing: counting the bytes on every peer connection as the
 * socket sees them (after encryption and multiplexing), for carechain_p2p_bytes_total. libp2p
 * hands each new connection to trackMultiaddrConnection: incoming bytes are its 'message' events,
 * outgoing ones pass through its send(). Everything else libp2p would register is a no-op.
 */
export function byteCounter(count: (direction: 'in' | 'out', bytes: number) => void): () => Metrics {
  const noop = { update() {}, increment() {}, decrement() {}, reset() {}, observe() {}, timer: () => () => {} };
  const metrics = {
    trackMultiaddrConnection(maConn: MultiaddrConnection): void {
      maConn.addEventListener('message', (event) => count('in', event.data.byteLength));
      const send = maConn.send.bind(maConn);
      maConn.send = (data) => {
        count('out', data.byteLength);
        return send(data);
      };
    },
    trackProtocolStream(_stream: Stream): void {},
    registerMetric: () => noop,
    registerMetricGroup: () => noop,
    registerCounter: () => noop,
    registerCounterGroup: () => noop,
    registerHistogram: () => noop,
    registerHistogramGroup: () => noop,
    registerSummary: () => noop,
    registerSummaryGroup: () => noop,
    traceFunction: <F>(_name: string, fn: F) => fn,
    createTrace: () => undefined,
  };
  return () => metrics as unknown as Metrics;
}
