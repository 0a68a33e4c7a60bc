import { ConnectionType } from '../../core/pagination';
import { HelpRecord } from './help-record.entity';

export const HelpRecordConnection = ConnectionType(HelpRecord, 'HelpRecordConnection');
