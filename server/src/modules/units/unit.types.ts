import { ConnectionType } from '../../core/pagination';
import { Unit } from './unit.entity';

export const UnitConnection = ConnectionType(Unit, 'UnitConnection');
