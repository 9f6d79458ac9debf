/** A call waiting for its answer or its deadline. */
export interface PendingCall {
  readonly deadline: number;
  settled: boolean;
  /** Called once, when the deadline passes before the call settled. */
  readonly expire: () => void;
}

/**
 * The deadlines of calls that all have the same timeout, on one timer: calls
 * are queued in the order they start, so their deadlines are in order too,
 * and the timer is armed for the oldest unsettled call only. Starting a call
 * costs an array push and settling it a flag (no timer per call); the timer
 * is unreferenced, and once it finds nothing to wait for it is not armed
 * again until a call starts.
 */
export class DeadlineQueue {
  private readonly calls: PendingCall[] = [];
  private head = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly timeoutMs: number) {}

  /** Queues a call started now; `expire` runs if it is still unsettled `timeoutMs` from now. */
  start(expire: () => void): PendingCall {
    const call: PendingCall = {
      deadline: performance.now() + this.timeoutMs,
      settled: false,
      expire,
    };
    this.calls.push(call);
    if (this.timer === undefined) this.arm(call.deadline);
    return call;
  }

  /** Marks a call answered (its deadline no longer matters). */
  settle(call: PendingCall): void {
    call.settled = true;
    this.dropSettled();
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(
      () => this.fire(),
      Math.max(1, Math.ceil(deadline - performance.now())),
    );
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.calls.length) {
      const call = this.calls[this.head];
      if (!call.settled && call.deadline > now) break;
      this.head++;
      if (!call.settled) {
        call.settled = true;
        call.expire();
      }
    }
    this.dropSettled();
    if (this.head < this.calls.length) this.arm(this.calls[this.head].deadline);
  }

  /** Drops settled calls from the front; compacts the array when most of it is dropped. */
  private dropSettled(): void {
    const calls = this.calls;
    while (this.head < calls.length && calls[this.head].settled) this.head++;
    if (this.head === calls.length) {
      calls.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > calls.length) {
      calls.splice(0, this.head);
      this.head = 0;
    }
  }
}

const queues = new Map<number, DeadlineQueue>();

/** The queue of calls with timeout `timeoutMs` (one per distinct timeout in the process). */
export function deadlinesOf(timeoutMs: number): DeadlineQueue {
  let queue = queues.get(timeoutMs);
  if (queue === undefined) {
    queue = new DeadlineQueue(timeoutMs);
    queues.set(timeoutMs, queue);
  }
  return queue;
}
