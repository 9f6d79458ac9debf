import { SessionRecord } from '../../lib';

// A fake clock: every "now" below is exact, and time moves only when a test moves it.
const NOW = new Date('2026-01-01T00:00:00Z').getTime();

describe('SessionRecord', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts its three times now and expires ttl later', () => {
    const record = new SessionRecord('r', '2025-11-25', 60_000);
    expect(record.createdAt.getTime()).toBe(NOW);
    expect(record.lastAccessed.getTime()).toBe(record.createdAt.getTime());
    expect(record.expiresAt.getTime()).toBe(record.createdAt.getTime() + 60_000);
    expect(record.isExpired()).toBe(false);
  });

  it('touch moves lastAccessed to now and expiresAt to now + ttl, keeping createdAt', () => {
    const record = new SessionRecord('t', '2025-11-25', 60_000);
    const created = record.createdAt.getTime();
    const originalExpiry = record.expiresAt.getTime();
    jest.advanceTimersByTime(10);
    expect(record.touch(60_000)).toBe(record);
    expect(record.expiresAt.getTime()).toBeGreaterThan(originalExpiry);
    expect(record.lastAccessed.getTime()).toBe(NOW + 10);
    expect(record.expiresAt.getTime()).toBe(record.lastAccessed.getTime() + 60_000);
    expect(record.createdAt.getTime()).toBe(created);
  });

  it('is expired once expiresAt is not in the future', () => {
    const record = new SessionRecord('e', '2025-11-25', 0);
    expect(record.isExpired()).toBe(true);
    const live = new SessionRecord('l', '2025-11-25', 1_000);
    expect(live.isExpired(live.expiresAt.getTime() - 1)).toBe(false);
    expect(live.isExpired(live.expiresAt.getTime())).toBe(true);
  });

  it('rejects a negative or non-finite ttl', () => {
    expect(() => new SessionRecord('x', '2025-11-25', -1)).toThrow(RangeError);
    expect(() => new SessionRecord('x', '2025-11-25', Number.NaN)).toThrow(/ttlMs/);
    expect(() => new SessionRecord('x', '2025-11-25', 1).touch(Infinity)).toThrow(/ttlMs/);
  });

  it('restores a record from stored fields with its methods', () => {
    const expiresAt = new Date(NOW + 1_000);
    const record = SessionRecord.restore({
      id: 'restored',
      protocolVersion: '2025-06-18',
      owner: 'alice',
      createdAt: new Date(1),
      lastAccessed: new Date(2),
      expiresAt,
    });
    expect(record).toBeInstanceOf(SessionRecord);
    expect(record.owner).toBe('alice');
    expect(record.isExpired()).toBe(false);
    expect('data' in record).toBe(false);
  });
});
