import { SessionStoreError } from '../../lib';
import { StoreBreaker } from '../../lib/gate/store-breaker';

const down = () => Promise.reject(SessionStoreError.backend('touch failed', new Error('timeout')));
const up = () => Promise.resolve('ok');

describe('StoreBreaker', () => {
  let now = 0;
  let breaker: StoreBreaker;
  beforeEach(() => {
    now = 1_000;
    breaker = new StoreBreaker({ threshold: 3, cooldown: 500 }, () => now);
  });

  async function fail(times: number) {
    for (let i = 0; i < times; i++) await expect(breaker.run(down)).rejects.toThrow('timeout');
  }

  it('opens after `threshold` outage failures in a row, then fails calls at once without running them', async () => {
    await fail(2);
    expect(breaker.open).toBe(false);
    await fail(1);
    expect(breaker.open).toBe(true);
    const call = jest.fn(up);
    await expect(breaker.run(call)).rejects.toMatchObject({
      kind: 'backend',
      message: expect.stringContaining('breaker open'),
    });
    expect(call).not.toHaveBeenCalled();
  });

  it('a success in between starts the count again', async () => {
    await fail(2);
    await breaker.run(up);
    await fail(2);
    expect(breaker.open).toBe(false);
  });

  it('decode, encode and conflict errors are answers, not outages', async () => {
    for (const kind of ['decode', 'encode', 'conflict'] as const) {
      await expect(
        breaker.run(() => Promise.reject(new SessionStoreError(kind as 'decode', 'x'))),
      ).rejects.toThrow();
    }
    await fail(2);
    expect(breaker.open).toBe(false);
  });

  it('after the cooldown lets one trial call through at a time; its success closes the breaker', async () => {
    await fail(3);
    now += 499;
    await expect(breaker.run(up)).rejects.toThrow('breaker open');
    now += 1;
    let finish!: (value: string) => void;
    const trial = breaker.run(() => new Promise<string>((resolve) => (finish = resolve)));
    await expect(breaker.run(up)).rejects.toThrow('breaker open');
    finish('back');
    await expect(trial).resolves.toBe('back');
    expect(breaker.open).toBe(false);
    await expect(breaker.run(up)).resolves.toBe('ok');
  });

  it('a failed trial keeps it open for another cooldown', async () => {
    await fail(3);
    now += 500;
    await fail(1);
    expect(breaker.open).toBe(true);
    await expect(breaker.run(up)).rejects.toThrow('breaker open');
    now += 500;
    await expect(breaker.run(up)).resolves.toBe('ok');
  });

  it('a call that started before it opened and succeeds late closes it too', async () => {
    let finish!: (value: string) => void;
    const slow = breaker.run(() => new Promise<string>((resolve) => (finish = resolve)));
    await fail(3);
    finish('late');
    await slow;
    expect(breaker.open).toBe(false);
  });
});
