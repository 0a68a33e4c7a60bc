import { ConnectionType } from '../../core/pagination';
import { Demand } from './demand.entity';

export const DemandConnection = ConnectionType(Demand, 'DemandConnection');
