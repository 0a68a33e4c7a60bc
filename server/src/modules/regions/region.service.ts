import type { Em } from '../../db/orm';
import { Region } from './region.entity';

/** Reads of the administrative tree. Subtrees are prefix range scans on the materialized path. */
export const regionService = {
  /** The children of a region, or the roots of the tree when parentId is null; ordered by code. */
  async listChildren(em: Em, parentId: number | null): Promise<Region[]> {
    return em.find(Region, { parent: parentId }, { orderBy: { code: 'asc' } });
  },

  async findById(em: Em, id: number): Promise<Region | null> {
    return em.findOne(Region, { id });
  },

  async findByCode(em: Em, code: string): Promise<Region | null> {
    return em.findOne(Region, { code });
  },

  /** A filter matching the region and everything under it: one index range scan on `path`. */
  subtreeCondition(root: Pick<Region, 'path'>): { path: { $like: string } } {
    return { path: { $like: `${escapeLike(root.path)}%` } };
  },
};

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
