import { ConnectionType } from '../../core/pagination';
import { Assignment } from './assignment.entity';

export const AssignmentConnection = ConnectionType(Assignment, 'AssignmentConnection');
