import { ConnectionType } from '../../core/pagination';
import { ContactPoint } from './contact-point.entity';

export const ContactPointConnection = ConnectionType(ContactPoint, 'ContactPointConnection');
