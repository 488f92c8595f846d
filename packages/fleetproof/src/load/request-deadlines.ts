/**
 * The timeouts of the generator's requests in flight on one timer. A load test sends tens of thousands of
 * requests a second with the same timeout, so their deadlines arrive in the order they were set: they wait
 * in a list in that order, and one timer is armed for the first. Completing a request unlinks it (no timer
 * to clear); a deadline that would land out of order (a late open-model arrival timed from its intended
 * start) gets a timer of its own. Measured on bench:load's hello server (32 connections, one core): a
 * setTimeout + clearTimeout per request cost about 0.25 µs of the generator's 11.4 µs of CPU per request.
 */
export interface Expiring {
  /** Epoch milliseconds, fractional. */
  deadline: number;
  prev: Expiring | undefined;
  next: Expiring | undefined;
  /** Set while the entry waits on its own timer instead of the list. */
  ownTimer: NodeJS.Timeout | undefined;
  /** Whether it is in the list. */
  listed: boolean;
  expire(): void;
}

/** Out of order by less than this, a deadline joins the list anyway (it fires at most this late). */
const SLACK_MS = 1;

export class RequestDeadlines {
  private head: Expiring | undefined;
  private tail: Expiring | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly fire = () => this.expireDue();

  constructor(private readonly now: () => number) {}

  add(entry: Expiring): void {
    const tail = this.tail;
    if (tail && entry.deadline < tail.deadline - SLACK_MS) {
      entry.ownTimer = setTimeout(
        () => {
          entry.ownTimer = undefined;
          entry.expire();
        },
        Math.max(0, Math.ceil(entry.deadline - this.now())),
      );
      return;
    }
    entry.prev = tail;
    entry.next = undefined;
    entry.listed = true;
    if (tail) tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm();
  }

  remove(entry: Expiring): void {
    if (entry.ownTimer) {
      clearTimeout(entry.ownTimer);
      entry.ownTimer = undefined;
      return;
    }
    if (!entry.listed) return;
    entry.listed = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
    // The timer stays armed for a deadline that may be gone: when it fires it re-arms for the new first one
    // (about once per timeout while requests complete, instead of a clear and a set per request).
  }

  /** Stops the timer (the client is closing; what is still listed is aborted by closing its connection). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const head = this.head;
    if (!head) {
      this.timer = undefined;
      return;
    }
    // Unreferenced: the requests' sockets keep the process alive, a timer for finished ones must not.
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(head.deadline - this.now())));
    this.timer.unref();
  }

  private expireDue(): void {
    const now = this.now();
    for (let entry = this.head; entry && entry.deadline <= now; entry = this.head) {
      this.remove(entry);
      entry.expire();
    }
    this.arm();
  }
}
