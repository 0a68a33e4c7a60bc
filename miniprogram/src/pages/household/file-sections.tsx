import { Text, View } from '@tarojs/components';
import Tag from '@/components/tag';
import { formatDate } from '@/services/dates';
import { departureLabel } from '@/services/field-reports';
import type { HouseholdFile } from '@/services/household';
import { label } from '@/services/labels';
import type { UnitResolution } from '@/services/loop';
import type { QueuedConfirmation } from '@/services/outbox';
import RevealIdNumber from './reveal-id-number';

/** The household file's cards between its head and its history. */

/** The members, as the server masks them: ID numbers show the address code only, ages instead of birth dates. */
export function ResidentsCard({ residents }: { residents: HouseholdFile['residents'] }) {
  return (
    <View className="card">
      <View className="card__title">家庭成员（{residents.length}）</View>
      {residents.map((resident) => {
        // The server shows the age reached this year, never the birth date (household policy).
        const age = resident.age ?? null;
        return (
          <View key={resident.id} className="resident">
            <View className="resident__main">
              <Text className="resident__name">{resident.name}</Text>
              <Text className="muted">
                {label('ResidentRelation', resident.relation)} · {label('Gender', resident.gender)}
                {age !== null ? ` · ${age} 岁` : ''}
              </Text>
              {/* A member who died or moved out stays listed, marked, from the day they left. */}
              {resident.departure && (
                <Tag tone="grey">
                  {departureLabel(resident.departure)}
                  {resident.leftOn ? ` ${resident.leftOn}` : ''}
                </Tag>
              )}
            </View>
            {resident.idNumber && (
              <View className="resident__id">
                <Text className="muted">身份证 {resident.idNumber}</Text>
                <RevealIdNumber residentId={resident.id} />
              </View>
            )}
            {(resident.isPetitioner || resident.isKeyFocus) && (
              <View className="tags">
                {resident.isPetitioner && <Tag tone="red">信访人</Tag>}
                {resident.isKeyFocus && (
                  <Tag tone="orange">重点关注{resident.keyFocusReason ? `：${label('KeyFocusReason', resident.keyFocusReason)}` : ''}</Tag>
                )}
              </View>
            )}
          </View>
        );
      })}
    </View>
  );
}

interface AwaitingConfirmationProps {
  demands: HouseholdFile['demandsAwaitingConfirmation'];
  /** Answers recorded on this phone that wait to be sent (or were refused). */
  queued: readonly QueuedConfirmation[];
  /** Demands a unit resolved (办结): which unit, and what it did, to tell the household before it answers. */
  resolvedByUnit: ReadonlyMap<string, UnitResolution>;
  onOpen(demandId: string): void;
}

/** 待群众确认: demands a help record resolved; a tap records the household's answer (回访). */
export function AwaitingConfirmationCard({ demands, queued, resolvedByUnit, onOpen }: AwaitingConfirmationProps) {
  if (demands.length === 0 && queued.length === 0) return null;
  const answered = new Map(queued.map((item) => [item.input.demandId, item]));
  return (
    <View className="card awaiting">
      <View className="card__title">待群众确认（{demands.length}）</View>
      {demands.map((demand) => {
        const answer = answered.get(demand.id);
        const byUnit = resolvedByUnit.get(demand.id);
        return (
          <View key={demand.id} className="demand awaiting__demand" onClick={() => onOpen(demand.id)}>
            <View className="tags">
              <Tag tone="green">{label('DemandCategory', demand.category)}</Tag>
              {demand.resolvedAt && <Text className="muted">{formatDate(demand.resolvedAt)} 办结</Text>}
              {answer && (
                <Tag tone={answer.state === 'refused' ? 'danger' : 'warning'}>
                  {label('Satisfaction', answer.input.satisfaction)} · {answer.state === 'refused' ? '未能上传' : '待上传'}
                </Tag>
              )}
            </View>
            <View className="demand__text">{demand.text}</View>
            {byUnit && (
              <View className="awaiting__unit">
                {byUnit.unitName} 办结{byUnit.resolution ? `：${byUnit.resolution}` : ''}
              </View>
            )}
            {!answer && <View className="link awaiting__action">记录群众评价 ›</View>}
          </View>
        );
      })}
    </View>
  );
}

/** The household's petition cases, if it has any (the card is left out otherwise). */
export function PetitionCasesCard({ cases }: { cases: HouseholdFile['petitionCases'] }) {
  if (cases.length === 0) return null;
  return (
    <View className="card">
      <View className="card__title">信访案件</View>
      {cases.map((petition) => (
        <View key={petition.id} className="petition">
          <View className="tags">
            <Text className="petition__title">{petition.title}</Text>
            {petition.majorBacklog && <Tag tone="danger">重大积案</Tag>}
            <Tag tone="grey">{label('PetitionCaseStatus', petition.status)}</Tag>
          </View>
          <View className="petition__line">诉求：{petition.demand}</View>
          <View className="muted">
            {petition.receivedOn} 受理{petition.responsibleLeader ? ` · 包案领导 ${petition.responsibleLeader.name}` : ''}
          </View>
          {petition.resolution && <View className="petition__line">化解情况：{petition.resolution}</View>}
        </View>
      ))}
    </View>
  );
}
