import { ConnectionType } from '../../core/pagination';
import { UnitPairing } from './unit-pairing.entity';

export const UnitPairingConnection = ConnectionType(UnitPairing, 'UnitPairingConnection');
