import type mysql from 'mysql2/promise';

/**
 * Reads the database directly (not through the API under test) and reports every way an
 * acknowledged record could have been lost or half-written: missing, stored more than once, stored
 * under another id than the client was told, without its audit entry, or with its household's last
 * visit left behind it (submitHelpRecord moves it forward in the same transaction).
 */
export interface AcknowledgedRecord {
  clientId: string;
  recordId: string;
  /** The operation that wrote it, as the audit trail names it. */
  operation: 'submitHelpRecord' | 'correctHelpRecord';
}

export interface RecordCheck {
  acknowledged: number;
  /** Acknowledged records not in help_record: must be 0. */
  lost: string[];
  /** clientIds stored more than once: must be empty (the unique index makes it impossible; checked anyway). */
  duplicated: string[];
  /** Stored under a different id than the one the client was answered with. */
  wrongId: string[];
  /** Help records of this database without their audit entry. */
  withoutAudit: number[];
  /** Households whose last_visit_at is earlier than one of their records' occurred_at. */
  visitBehind: number[];
  /** Help records whose household, cadre or assignment row is missing. */
  orphaned: number[];
}

export async function checkRecords(connection: mysql.Connection, acknowledged: readonly AcknowledgedRecord[]): Promise<RecordCheck> {
  const stored = new Map<string, { ids: number[] }>();
  const clientIds = acknowledged.map((record) => record.clientId);
  for (let index = 0; index < clientIds.length; index += 1000) {
    const batch = clientIds.slice(index, index + 1000);
    const [rows] = await connection.query<mysql.RowDataPacket[]>('select id, client_id from help_record where client_id in (?)', [batch]);
    for (const row of rows) {
      const entry = stored.get(row.client_id as string) ?? { ids: [] };
      entry.ids.push(Number(row.id));
      stored.set(row.client_id as string, entry);
    }
  }
  const lost: string[] = [];
  const duplicated: string[] = [];
  const wrongId: string[] = [];
  for (const record of acknowledged) {
    const entry = stored.get(record.clientId);
    if (!entry) lost.push(record.clientId);
    else if (entry.ids.length > 1) duplicated.push(record.clientId);
    else if (String(entry.ids[0]) !== record.recordId) wrongId.push(record.clientId);
  }
  // Seeded records come without audit entries; the ones written through the API must each have theirs.
  const [unaudited] = await connection.query<mysql.RowDataPacket[]>(
    `select h.id from help_record h
      where h.client_id in (?)
        and not exists (select 1 from audit_entry a
                         where a.entity_name = 'HelpRecord' and cast(a.entity_id as unsigned) = h.id
                           and a.operation in ('submitHelpRecord', 'correctHelpRecord'))`,
    [clientIds.length > 0 ? clientIds : ['']],
  );
  const [behind] = await connection.query<mysql.RowDataPacket[]>(
    `select distinct h.id from household h join help_record r on r.household_id = h.id
      where r.client_id in (?) and (h.last_visit_at is null or r.occurred_at > h.last_visit_at)`,
    [clientIds.length > 0 ? clientIds : ['']],
  );
  const [orphans] = await connection.query<mysql.RowDataPacket[]>(
    `select r.id from help_record r
       left join household h on h.id = r.household_id
       left join cadre c on c.id = r.cadre_id
       left join assignment a on a.id = r.assignment_id
      where h.id is null or c.id is null or a.id is null`,
  );
  return {
    acknowledged: acknowledged.length,
    lost,
    duplicated,
    wrongId,
    withoutAudit: unaudited.map((row) => Number(row.id)),
    visitBehind: behind.map((row) => Number(row.id)),
    orphaned: orphans.map((row) => Number(row.id)),
  };
}

/**
 * How many times each clientId is stored, for every record a phone tried to send (acknowledged or
 * not): a record whose answer was lost may be stored, but never twice.
 */
export async function storedClientIds(connection: mysql.Connection, clientIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let index = 0; index < clientIds.length; index += 1000) {
    const batch = clientIds.slice(index, index + 1000);
    if (batch.length === 0) continue;
    const [rows] = await connection.query<mysql.RowDataPacket[]>('select client_id, count(*) as n from help_record where client_id in (?) group by client_id', [
      batch,
    ]);
    for (const row of rows) counts.set(row.client_id as string, Number(row.n));
  }
  return counts;
}
