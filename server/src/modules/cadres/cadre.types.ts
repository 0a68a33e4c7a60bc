import { ConnectionType } from '../../core/pagination';
import { Cadre } from './cadre.entity';

export const CadreConnection = ConnectionType(Cadre, 'CadreConnection');
