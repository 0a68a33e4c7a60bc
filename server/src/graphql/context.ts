import type { Em } from '../db/orm';
import type { Logger } from '../logger';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: a fork of the entity manager and DataLoaders for this request only. */
export interface GraphQLContext {
  em: Em;
  loaders: Loaders;
  logger: Logger;
}

export function createContext(em: Em, logger: Logger): GraphQLContext {
  return { em, loaders: createLoaders(em), logger };
}
