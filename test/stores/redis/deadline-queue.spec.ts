import { DeadlineQueue } from '../../../lib/stores/redis/deadline-queue';

describe('DeadlineQueue (the shared timer of bounded Redis calls)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('expires each unsettled call once, at its own deadline, and never a settled one', () => {
    const queue = new DeadlineQueue(1000);
    const expired: string[] = [];
    const a = queue.start(() => expired.push('a'));
    jest.advanceTimersByTime(400);
    const b = queue.start(() => expired.push('b'));
    queue.start(() => expired.push('c'));
    queue.settle(a);
    jest.advanceTimersByTime(599);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(400);
    // b and c started 400 ms after a: their deadline is 1400 ms.
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(2);
    expect(expired).toEqual(['b', 'c']);
    expect(b.settled).toBe(true);
    jest.advanceTimersByTime(10_000);
    expect(expired).toEqual(['b', 'c']);
  });

  it('keeps no timer once every call settled, and arms again for the next call', () => {
    const queue = new DeadlineQueue(50);
    const calls = Array.from({ length: 5000 }, () => queue.start(() => undefined));
    for (const call of calls) queue.settle(call);
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    const expired: number[] = [];
    queue.start(() => expired.push(1));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(51);
    expect(expired).toEqual([1]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('settles out of order: a late answer of an early call does not hold later deadlines back', () => {
    const queue = new DeadlineQueue(100);
    const expired: number[] = [];
    const first = queue.start(() => expired.push(1));
    jest.advanceTimersByTime(50);
    const second = queue.start(() => expired.push(2));
    queue.settle(second);
    jest.advanceTimersByTime(51);
    expect(expired).toEqual([1]);
    expect(first.settled).toBe(true);
  });
});
