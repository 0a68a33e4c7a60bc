import { ALLOWED_CHILD_LEVELS, RegionLevel } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ForbiddenError } from '../../core/errors';
import { recordAudit } from '../audit/audit.service';
import { isRootAdmin, isStaff, pathInScope, type Actor } from '../../core/caller';
import { Region, childPath } from './region.entity';

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The administrative tree. Subtrees are prefix range scans on the materialized path. */
export const regionService = {
  /**
   * The children of a region in the caller's scope; without a parent, the caller's own scope root
   * (the whole tree's root for the city). Children of a region above the caller's scope are FORBIDDEN.
   */
  async listChildren(em: Em, actor: Actor, parentId: number | null): Promise<Region[]> {
    if (!isStaff(actor)) throw new ForbiddenError();
    if (parentId === null) return em.find(Region, { id: actor.scopeRegionId });
    const parent = await this.findInScope(em, actor, parentId);
    return em.find(Region, { parent }, { orderBy: { code: 'asc' } });
  },

  /** The region if it lies in the caller's subtree; FORBIDDEN otherwise, whether or not it exists. */
  async findInScope(em: Em, actor: Actor, id: number): Promise<Region> {
    const region = await em.findOne(Region, { id });
    if (!region || !pathInScope(actor, region.path)) throw new ForbiddenError();
    return region;
  },

  async findByCode(em: Em, code: string): Promise<Region | null> {
    return em.findOne(Region, { code });
  },

  /** A filter matching the region and everything under it: one index range scan on `path`. */
  subtreeCondition(root: Pick<Region, 'path'>): { path: { $like: string } } {
    return { path: { $like: `${escapeLike(root.path)}%` } };
  },

  /** Only the city's administrators shape the tree: a new node under an existing one, at the level the tree allows. */
  async create(
    em: Em,
    input: { code: string; name: string; level: RegionLevel; parentId: number },
    actor: Actor,
    clientAddress: string | null,
  ): Promise<Region> {
    if (!isRootAdmin(actor)) throw new ForbiddenError("Only the city's administrators change the region tree");
    const parent = await this.findInScope(em, actor, input.parentId);
    if (!ALLOWED_CHILD_LEVELS[parent.level].includes(input.level)) {
      throw new BadUserInputError(
        'input.level',
        `a ${input.level} cannot sit under a ${parent.level}; allowed: ${ALLOWED_CHILD_LEVELS[parent.level].join(', ') || 'none'}`,
      );
    }
    if (await em.count(Region, { code: input.code })) throw new BadUserInputError('input.code', 'a region with this code exists');
    return em.transactional(async (tx) => {
      const region = tx.create(Region, {
        code: input.code,
        name: input.name.trim(),
        level: input.level,
        parent,
        path: childPath(parent, input.code),
        depth: parent.depth + 1,
      });
      await tx.flush();
      recordAudit(tx, actor, clientAddress, {
        operation: 'createRegion',
        entityName: 'Region',
        entityId: region.id,
        regionPath: region.path,
        changes: { ...input },
      });
      return region;
    });
  },

  async rename(em: Em, id: number, name: string, actor: Actor, clientAddress: string | null): Promise<Region> {
    if (!isRootAdmin(actor)) throw new ForbiddenError("Only the city's administrators change the region tree");
    const region = await this.findInScope(em, actor, id);
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Region, id);
      recordAudit(tx, actor, clientAddress, {
        operation: 'updateRegion',
        entityName: 'Region',
        entityId: id,
        regionPath: region.path,
        changes: { name: [row.name, name.trim()] },
      });
      row.name = name.trim();
      return row;
    });
  },
};
