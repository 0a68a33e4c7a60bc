import { NoticeKind } from '@wanjia/shared';
import { ArrayMaxSize, IsEnum } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'Which of your notices to mark read: the listed ids, or all.' })
export class MarkNoticesReadInput {
  @Field(() => [ID], { nullable: true, description: 'At most 100; ids that are not yours change nothing.' })
  @ArrayMaxSize(100)
  ids?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Every unread notice of yours.' })
  all?: boolean | null;
}

@InputType({ description: "The cadre's answer in wx.requestSubscribeMessage, kind by kind." })
export class NoticeSubscriptionsInput {
  @Field(() => [NoticeKind], { description: 'Kinds the cadre accepted: each adds one message WeChat will deliver.' })
  @ArrayMaxSize(20)
  @IsEnum(NoticeKind, { each: true })
  accepted!: NoticeKind[];

  @Field(() => [NoticeKind], { description: 'Kinds the cadre declined (recorded, no credit).' })
  @ArrayMaxSize(20)
  @IsEnum(NoticeKind, { each: true })
  rejected!: NoticeKind[];
}
