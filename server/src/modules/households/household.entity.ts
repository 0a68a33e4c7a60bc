import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { HardshipReason, HouseholdStatus, TargetGroup } from '@wanjia/shared';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Region } from '../regions/region.entity';
import { LOCK_VERSION_PROPERTY } from '../../core/locking';

/** 户: a household that needs help. Its region is always a village or community. */
@Entity({ tableName: 'household' })
@Index({ properties: ['region', 'status'], name: 'household_region_status_index' })
@Index({ properties: ['isPetitioner', 'region'], name: 'household_petitioner_region_index' })
@Index({ properties: ['isKeyFocus', 'region'], name: 'household_key_focus_region_index' })
@Index({ properties: ['isHardship', 'region'], name: 'household_hardship_region_index' })
@ObjectType({ description: 'A household (户) in a village or community.' })
export class Household {
  @Field(() => ID)
  @PrimaryKey()
  id!: number;

  /** Foreign key; the (region, status) index serves every subtree list and count. */
  @ManyToOne(() => Region)
  region!: Rel<Region>;

  @Field()
  @Property({ length: 255 })
  address!: string;

  /** Indexed: administrators search households by the head's name. */
  @Field({ description: 'Name of the head of household (户主).' })
  @Property({ length: 64 })
  @Index()
  headName!: string;

  /**
   * Sensitive: exposed through a masking field resolver, not as a plain field. Indexed: imports find a
   * likely duplicate (the same head and phone) and a household keyed by its phone without a scan.
   */
  @Property({ type: 'string', length: 20, nullable: true })
  @Index()
  phone?: string | null;

  /**
   * The target groups as three flags rather than a set column: each (flag, region) index answers
   * "hardship households under X" as a range scan on MySQL and SQLite alike.
   */
  @Property({ type: 'boolean' })
  isHardship: boolean & Opt = false;

  @Property({ type: 'boolean' })
  isKeyFocus: boolean & Opt = false;

  @Property({ type: 'boolean' })
  isPetitioner: boolean & Opt = false;

  /** Stored as a comma-separated list (MikroORM's array type): only ever read with its household. */
  @Field(() => [HardshipReason])
  @Property({ type: 'array', length: 255 })
  hardshipReasons: HardshipReason[] & Opt = [];

  @Field(() => HouseholdStatus)
  @Enum({ items: () => HouseholdStatus })
  status: HouseholdStatus & Opt = HouseholdStatus.ACTIVE;

  /**
   * When the latest help record was made, kept here so that "overdue first" lists sort without
   * aggregating help records per row. Indexed for that sort.
   */
  @Field(() => Date, { nullable: true })
  @Property({ type: 'Date', length: 3, nullable: true })
  @Index()
  lastVisitAt?: Date | null;

  /**
   * Optimistic lock, kept by hand: an administrator's update names the version it read and fails on
   * a stale one (household service). Not MikroORM's version property, which every update of the row
   * would bump, including a visit moving lastVisitAt: a visit is not an edit of the household's file.
   */
  @Field(() => Int)
  @Property({ type: 'integer', default: 1 })
  version: number & Opt = 1;

  @Field(() => Date)
  @Property({ type: 'Date', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  @Field(() => [TargetGroup])
  get targetGroups(): TargetGroup[] & Opt {
    const groups: TargetGroup[] = [];
    if (this.isHardship) groups.push(TargetGroup.HARDSHIP);
    if (this.isKeyFocus) groups.push(TargetGroup.KEY_FOCUS);
    if (this.isPetitioner) groups.push(TargetGroup.PETITIONER);
    return groups;
  }

  set targetGroups(groups: readonly TargetGroup[]) {
    this.isHardship = groups.includes(TargetGroup.HARDSHIP);
    this.isKeyFocus = groups.includes(TargetGroup.KEY_FOCUS);
    this.isPetitioner = groups.includes(TargetGroup.PETITIONER);
  }

  /** Written only by core/locking.ts lockRows: the row lock that Galera certifies too. */
  @Property(LOCK_VERSION_PROPERTY)
  lockVersion?: number;
}
