import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { Transport } from './vu-state.js';
import type { HostCall, MetricSample, WireRequest, WireResponse } from './wire.js';

/** Slots of the shared Int32Array between a VU thread and its host. */
export const SLOT_REPLY = 0;
export const SLOT_STOP = 1;
const SLOT_SPIN = 2;
export const CHANNEL_SLOTS = 3;

/**
 * The VU side of a synchronous call into the host thread, which owns the sockets. k6 calls are synchronous
 * (each VU is its own runtime); here the VU thread posts the call and blocks in Atomics.wait until the host
 * has posted the reply and flipped the reply slot, then reads the reply with receiveMessageOnPort.
 */
export class HostChannel implements Transport {
  readonly blocking = true;

  constructor(
    private readonly port: MessagePort,
    private readonly flags: Int32Array,
  ) {}

  call<T>(message: unknown): T {
    Atomics.store(this.flags, SLOT_REPLY, 0);
    this.port.postMessage(message);
    Atomics.wait(this.flags, SLOT_REPLY, 0);
    for (;;) {
      const reply = receiveMessageOnPort(this.port);
      if (reply) return reply.message as T;
      // Notified a moment before the message became readable on this side (seen about once in 2,000 calls).
      Atomics.wait(this.flags, SLOT_SPIN, 0, 0.05);
    }
  }

  http(requests: WireRequest[], samples: MetricSample[]): WireResponse[] {
    return this.call<{ responses: WireResponse[] }>({ op: 'http', requests, samples } satisfies HostCall)
      .responses;
  }

  /** The host asked this VU to stop (the scenario's graceful stop ran out, or the test was aborted). */
  get stopped(): boolean {
    return Atomics.load(this.flags, SLOT_STOP) === 1;
  }

  /** Blocks for ms, as k6's sleep does; returns early when the host stops the VU. */
  sleep(ms: number): void {
    if (ms > 0) Atomics.wait(this.flags, SLOT_STOP, 0, ms);
  }
}

/** The host side: answers one call and wakes the VU thread. */
export function replyToVu(port: MessagePort, flags: Int32Array, reply: unknown): void {
  port.postMessage(reply);
  Atomics.store(flags, SLOT_REPLY, 1);
  Atomics.notify(flags, SLOT_REPLY);
}

export function stopVu(flags: Int32Array): void {
  Atomics.store(flags, SLOT_STOP, 1);
  Atomics.notify(flags, SLOT_STOP);
}
