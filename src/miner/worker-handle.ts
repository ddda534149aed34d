/**
 * One worker thread as the pool sees it: its message port, the ranges it holds, and promises for
 * "kernel loaded" and "gone". Starts from the .ts source (vitest, tsx) and from dist/ alike.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerData, WorkRange } from './protocol.js';

export interface HandleEvents {
  message(h: WorkerHandle, msg: FromWorker): void;
  exit(h: WorkerHandle, exitCode: number): void;
}

export class WorkerHandle {
  /** The kernel is loaded and the scan loop runs. */
  ready = false;
  /** Asked to leave (fewer threads): finishes its slice and exits. */
  retiring = false;
  dead = false;
  /** Ranges sent and not reported done, in the order the worker scans them. */
  outstanding: WorkRange[] = [];
  /** The last pause epoch this worker acknowledged. */
  pausedEpoch = 0;
  error?: Error;
  /** Resolves when the kernel is loaded; rejects if the thread dies first. */
  readonly started: Promise<void>;
  readonly exited: Promise<void>;
  private readonly worker: Worker;
  private readonly port: MessagePort;

  constructor(readonly slot: number, data: Omit<WorkerData, 'port'>, events: HandleEvents) {
    const { port1, port2 } = new MessageChannel();
    const workerData: WorkerData = { ...data, port: port2 };
    const options = { workerData, transferList: [port2], name: `carechain-miner-${slot}` };
    this.worker = fromSource
      ? new Worker(tsxBootstrap(new URL('./worker.ts', import.meta.url)), { ...options, eval: true })
      : new Worker(new URL('./worker.js', import.meta.url), options);
    this.port = port1;
    let settle!: (error?: Error) => void;
    this.started = new Promise<void>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve())));
    this.started.catch(() => {}); // a replacement's failure is reported as an event, not a rejection
    this.exited = new Promise<void>((resolve) => {
      this.worker.on('exit', (code) => {
        this.dead = true;
        // Everything the thread posted is queued by now: hand it on (a find posted just before a
        // kill included) before the pool judges its ranges by the progress it published.
        for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.receive(m.message as FromWorker, events);
        this.port.close();
        settle(this.error ?? new Error(`miner worker ${slot} exited (code ${code}) before it was ready`));
        events.exit(this, code);
        resolve();
      });
    });
    this.worker.on('error', (err) => (this.error = err));
    this.port.on('message', (msg: FromWorker) => this.receive(msg, events));
    this.settle = settle;
  }

  private readonly settle: (error?: Error) => void;

  private receive(msg: FromWorker, events: HandleEvents): void {
    if (msg.type === 'ready') {
      this.ready = true;
      this.settle();
    }
    events.message(this, msg);
  }

  post(msg: ToWorker): void {
    if (!this.dead) this.port.postMessage(msg);
  }

  /** Stop the thread at once, mid-slice if need be; resolves after the exit has been handled. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }
}

/** Running from the .ts source (vitest, tsx) rather than from the compiled dist/. */
const fromSource = import.meta.url.endsWith('.ts');

/**
 * Node 20 does not strip types, and ignores `--import` in a worker's execArgv (checked on 20.20:
 * `--import tsx` there leaves `.ts` unknown). So a source-mode worker is a two-line bootstrap that
 * registers tsx's loader in its own thread, then imports the real entry.
 */
function tsxBootstrap(entry: URL): string {
  const api = tsxApiUrl();
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

let cachedApi: string | undefined;

/** tsx's ESM API, resolved from this package (its `require` build mis-resolves its own files in a worker). */
function tsxApiUrl(): string {
  if (!cachedApi) {
    const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
    const exported = JSON.parse(readFileSync(manifest, 'utf8')).exports['./esm/api'].import.default as string;
    cachedApi = pathToFileURL(join(dirname(manifest), exported)).href;
  }
  return cachedApi;
}
