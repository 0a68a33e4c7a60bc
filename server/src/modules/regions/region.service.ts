import { ALLOWED_CHILD_LEVELS } from '@wanjia/shared';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, ForbiddenError, parseId } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { likeStartingWith } from '../../core/sql-like';
import { recordAudit } from '../audit/audit.service';
import { Region, childPath } from './region.entity';
import type { CreateRegionInput, RenameRegionArgs } from './region.inputs';
import { TREE_IS_THE_CITYS, regionPolicy } from './region.policy';

/** The administrative tree. Subtrees are prefix range scans on the materialized path. */
export const regionService = {
  /**
   * The children of a region in the caller's scope; without a parent, the caller's own scope root
   * (the whole tree's root for the city). Children of a region above the caller's scope are FORBIDDEN.
   */
  async listChildren(em: Em, actor: Actor, parentId: number | null): Promise<Region[]> {
    assertAllowed(regionPolicy.mayList(actor));
    if (parentId === null) return em.find(Region, { id: actor.scopeRegionId });
    const parent = await this.findInScope(em, actor, parentId);
    return em.find(Region, { parent }, { orderBy: { code: 'asc' } });
  },

  /** The region if it lies in the caller's subtree; FORBIDDEN otherwise, whether or not it exists. */
  async findInScope(em: Em, actor: Actor, id: number): Promise<Region> {
    const region = await em.findOne(Region, { id });
    if (!region || !regionPolicy.mayRead(actor, region)) throw new ForbiddenError();
    return region;
  },

  async findByCode(em: Em, code: string): Promise<Region | null> {
    return em.findOne(Region, { code });
  },

  /** A filter matching the region and everything under it: one index range scan on `path`. */
  subtreeCondition(root: Pick<Region, 'path'>): { path: { $like: string } } {
    return { path: { $like: likeStartingWith(root.path) } };
  },

  /** Only the city's administrators shape the tree: a new node under an existing one, at the level the tree allows. */
  async create(em: Em, input: CreateRegionInput, caller: Caller): Promise<Region> {
    const { actor } = caller;
    const parentId = parseId(input.parentId, 'input.parentId');
    assertAllowed(regionPolicy.mayCreate(actor), TREE_IS_THE_CITYS);
    const parent = await this.findInScope(em, actor, parentId);
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
      recordAudit(tx, caller, {
        operation: 'createRegion',
        entityName: 'Region',
        entityId: region.id,
        regionPath: region.path,
        changes: { ...input, parentId },
      });
      return region;
    });
  },

  async rename(em: Em, args: RenameRegionArgs, caller: Caller): Promise<Region> {
    const { actor } = caller;
    const id = parseId(args.id, 'id');
    const name = args.name.trim();
    assertAllowed(regionPolicy.mayRename(actor), TREE_IS_THE_CITYS);
    const region = await this.findInScope(em, actor, id);
    return em.transactional(async (tx) => {
      const row = await tx.findOneOrFail(Region, id);
      recordAudit(tx, caller, {
        operation: 'updateRegion',
        entityName: 'Region',
        entityId: id,
        regionPath: region.path,
        changes: { name: [row.name, name] },
      });
      row.name = name;
      return row;
    });
  },
};
