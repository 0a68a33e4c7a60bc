import { ConnectionType } from '../../core/pagination';
import { Notice } from './notice.entity';

export const NoticeConnection = ConnectionType(Notice, 'NoticeConnection');
