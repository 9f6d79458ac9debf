/** A short random pause before retry `attempt` (0-based): up to 2, 4, 8, ... ms, at most 100. */
export function conflictBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 ** (attempt + 1));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const settle = (): void => undefined;

/**
 * Runs the tasks given for one id one after another, in the order given
 * (tasks of other ids run freely). A shared store's updates of one record
 * from one process then never race each other: only other processes'
 * writes can make them retry.
 */
export class UpdateQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once the tasks given before for `id` have settled. */
  run<T>(id: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(id);
    const result = before === undefined ? task() : before.then(task);
    const tail = result.then(settle, settle);
    this.tails.set(id, tail);
    void tail.then(() => {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return result;
  }

  /** How many ids have tasks queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
