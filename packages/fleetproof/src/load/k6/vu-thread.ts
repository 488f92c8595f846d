import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { builtModuleUrl } from '../built-module.js';
import { CHANNEL_SLOTS, replyToVu, SLOT_STOP, stopVu } from './host-channel.js';
import type { VuWorkerData } from './vu-runtime-main.js';
import type { HostCall, IterationEnd, IterationStart, ProbeResult } from './wire.js';

const RUNTIME = new URL(builtModuleUrl('./vu-runtime-main.js', import.meta.url));

export interface ScriptModule {
  moduleUrl: string;
  scriptPath: string;
  options: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** Whether the VU's requests carry their tags (only a sub-metric threshold on an HTTP metric reads them). */
  httpTags?: boolean;
}

/** One VU's thread, seen from the host: start it, run functions on it, answer its calls, stop it. */
export class VuThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flags = new Int32Array(new SharedArrayBuffer(4 * CHANNEL_SLOTS));
  private pending: ((end: IterationEnd) => void) | undefined;
  private failure: ((error: Error) => void) | undefined;
  readonly ready: Promise<void>;

  constructor(
    script: ScriptModule,
    readonly idInTest: number,
    onCall: (thread: VuThread, call: HostCall) => Promise<unknown>,
    mode: 'vu' | 'probe' = 'vu',
    onProbe?: (result: ProbeResult) => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: VuWorkerData = {
      mode,
      moduleUrl: script.moduleUrl,
      scriptPath: script.scriptPath,
      idInTest,
      port: port2,
      flags: this.flags,
      env: script.env,
      options: script.options,
      httpTags: script.httpTags ?? true,
    };
    this.worker = new Worker(RUNTIME, { workerData, transferList: [port2], stdout: false, stderr: false });
    port1.on('message', (call: HostCall) => {
      onCall(this, call).then(
        (reply) => replyToVu(port1, this.flags, reply ?? {}),
        (error: Error) => replyToVu(port1, this.flags, { error: error.message }),
      );
    });
    this.ready = new Promise((resolve, reject) => {
      this.failure = reject;
      this.worker.on('message', (message: { type: string }) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'probed') {
          onProbe?.(message as unknown as ProbeResult);
          resolve();
        } else if (message.type === 'done') {
          const done = this.pending;
          this.pending = undefined;
          done?.(message as unknown as IterationEnd);
        }
      });
      this.worker.once('error', (error) => {
        this.failure?.(error);
        this.pending?.({ type: 'done', ok: false, error: error.message, samples: [] });
        this.pending = undefined;
      });
      this.worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`the VU thread exited with code ${code}`));
      });
    });
    // The init context has finished (or failed) once ready settles; later errors end an iteration instead.
    this.ready.then(
      () => {
        this.failure = undefined;
      },
      () => {},
    );
  }

  run(start: IterationStart): Promise<IterationEnd> {
    if (this.pending) throw new Error(`VU ${this.idInTest} is already running an iteration`);
    Atomics.store(this.flags, SLOT_STOP, 0);
    return new Promise((resolve) => {
      this.pending = resolve;
      this.worker.postMessage(start);
    });
  }

  /** Ends the running iteration at its next k6 call (sleep, request). */
  stop(): void {
    stopVu(this.flags);
  }

  terminate(): Promise<number> {
    this.stop();
    this.port.close();
    return this.worker.terminate();
  }
}
