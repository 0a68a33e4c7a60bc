import { ConnectionType } from '../../core/pagination';
import { PetitionCase } from './petition-case.entity';

export const PetitionCaseConnection = ConnectionType(PetitionCase, 'PetitionCaseConnection');
