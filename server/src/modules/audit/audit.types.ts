import { ConnectionType } from '../../core/pagination';
import { AuditEntry } from './audit-entry.entity';

export const AuditEntryConnection = ConnectionType(AuditEntry, 'AuditEntryConnection');
