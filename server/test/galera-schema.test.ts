import fs from 'node:fs';
import path from 'node:path';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';

// Registered only when the global setup found MySQL (always under CI); otherwise the run's last lines say so.
const describeMysql = databaseKinds().includes('mysql') ? describe : () => undefined;

/**
 * What a Galera cluster needs of the schema (docs/galera.md): every table InnoDB (MyISAM and the
 * other engines do not replicate), and a primary key on every table (Galera applies row events on
 * the other nodes by primary key; without one a node may apply them to the wrong rows, slowly, or
 * not at all). Checked on the schema the migrations make, MikroORM's own migrations table included.
 */
describeMysql('the migrated schema on a Galera cluster', () => {
  it('has a primary key and InnoDB on every table', async () => {
    const { orm, database } = await migratedOrm('mysql', 'galera_schema');
    try {
      const tables = await orm.em
        .getConnection()
        .execute<{ name: string; engine: string | null; primary_keys: number | string }[]>(
          `select t.table_name as name, t.engine,
                  (select count(*) from information_schema.table_constraints c
                    where c.table_schema = t.table_schema and c.table_name = t.table_name and c.constraint_type = 'PRIMARY KEY') as primary_keys
             from information_schema.tables t
            where t.table_schema = database() and t.table_type = 'BASE TABLE'
            order by t.table_name`,
        );
      expect(tables.map((table) => table.name)).toContain('mikro_orm_migrations');
      expect(tables.filter((table) => table.engine !== 'InnoDB').map((table) => `${table.name}: ${table.engine}`)).toEqual([]);
      expect(tables.filter((table) => Number(table.primary_keys) !== 1).map((table) => table.name)).toEqual([]);
    } finally {
      await orm.close(true);
      await dropScratchDatabase(database);
    }
  });
});

/**
 * What Galera does not carry across nodes, named in the server's code: table locks and named locks
 * (GET_LOCK is per node: two instances on two nodes both get "the" lock), XA transactions, and
 * engines that do not replicate. Comments that say why the code does without them are allowed.
 */
describe('the server code on a Galera cluster', () => {
  it('uses no table locks, named locks, XA or non-InnoDB engines', () => {
    const root = path.join(__dirname, '..', 'src');
    const forbidden = /\b(lock\s+tables|get_lock\s*\(|release_lock\s*\(|is_free_lock\s*\(|xa\s+(start|begin|commit|prepare)|engine\s*=\s*(myisam|aria|memory|csv))/i;
    const offending: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.ts$/.test(entry.name)) {
          fs.readFileSync(file, 'utf8')
            .split('\n')
            .forEach((line, index) => {
              const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
              if (forbidden.test(code)) offending.push(`${path.relative(root, file)}:${index + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(root);
    expect(offending).toEqual([]);
  });
});
