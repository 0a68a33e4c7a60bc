import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import { recordAudit, redactSecrets } from '../src/modules/audit/audit.service';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

const ID_NUMBER = '210502196804020011';

/** What the audit trail keeps of secret fields: that they changed, at any depth of `changes`. */
describe('audit redaction', () => {
  test('secret fields are redacted inside nested objects, arrays and [before, after] pairs', () => {
    const shared = { idNumber: ID_NUMBER };
    const redacted = redactSecrets({
      idNumber: ID_NUMBER,
      residents: [{ name: '孙桂芝', idNumber: ID_NUMBER, birthDate: '1968-04-02', nested: { phone: '13900001111' } }],
      head: [{ phone: '13900001111' }, { phone: '13900002222' }],
      again: [shared, shared],
      at: new Date('2026-05-01T00:00:00Z'),
      count: 3,
    });
    expect(redacted).toEqual({
      idNumber: '(changed)',
      residents: [{ name: '孙桂芝', idNumber: '(changed)', birthDate: '(changed)', nested: { phone: '(changed)' } }],
      head: [{ phone: '(changed)' }, { phone: '(changed)' }],
      again: [{ idNumber: '(changed)' }, { idNumber: '(changed)' }],
      at: new Date('2026-05-01T00:00:00Z'),
      count: 3,
    });
    const cycle: Record<string, unknown> = { phone: '13900001111' };
    cycle.self = cycle;
    expect(redactSecrets(cycle)).toEqual({ phone: '(changed)', self: '(circular)' });
  });

  describe.each(databaseKinds())('as stored on %s', (kind) => {
    let orm: Orm;
    let database: DatabaseConfig;
    beforeAll(async () => {
      ({ orm, database } = await migratedOrm(kind, 'audit_redact'));
    });
    afterAll(async () => {
      await orm?.close(true);
      await dropScratchDatabase(database);
    });

    test('a nested change reaches the trail without its ID number, birth date or phone', async () => {
      const em = orm.em.fork();
      const entry = recordAudit(em, { actor: null, clientAddress: null }, {
        operation: 'createHousehold',
        entityName: 'Household',
        entityId: 1,
        changes: { residents: [{ name: '孙桂芝', idNumber: ID_NUMBER, birthDate: '1968-04-02' }], contact: { phone: ['13900001111', '13900002222'] } },
      });
      await em.flush();
      const stored = await orm.em.fork().findOneOrFail(AuditEntry, entry.id);
      for (const secret of [ID_NUMBER, '1968-04-02', '13900001111', '13900002222']) expect(stored.changes).not.toContain(secret);
      expect(JSON.parse(stored.changes!)).toEqual({ residents: [{ name: '孙桂芝', idNumber: '(changed)', birthDate: '(changed)' }], contact: { phone: '(changed)' } });
    });
  });
});
