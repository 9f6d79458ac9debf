import { MemorySessionStore, SessionStoreError, type SessionRecord } from '../../lib';

/** A memory store that counts calls and can be made to fail, for HTTP specs. */
export class ProbeStore extends MemorySessionStore {
  calls: string[] = [];
  failing = false;

  private check(method: string): void {
    this.calls.push(method);
    if (this.failing) {
      throw SessionStoreError.backend('connection refused', new Error('ECONNREFUSED'));
    }
  }

  override async create(record: SessionRecord): Promise<SessionRecord> {
    this.check('create');
    return super.create(record);
  }
  override async save(record: SessionRecord): Promise<void> {
    this.check('save');
    return super.save(record);
  }
  override async load(id: string): Promise<SessionRecord | undefined> {
    this.check('load');
    return super.load(id);
  }
  override async delete(id: string): Promise<void> {
    this.check('delete');
    return super.delete(id);
  }
  override async touch(id: string, ttlMs: number): Promise<SessionRecord | undefined> {
    this.check('touch');
    return super.touch(id, ttlMs);
  }

  /** Makes the stored record `id` expired without waiting. */
  async expire(id: string): Promise<void> {
    const record = await super.load(id);
    if (!record) throw new Error(`no session ${id}`);
    record.expiresAt = new Date(Date.now() - 1);
    await super.save(record);
  }
}
