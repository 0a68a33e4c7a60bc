import { LABELS_ZH, Satisfaction as SatisfactionValues } from '@wanjia/shared';
import type { Satisfaction } from '@/graphql/generated/graphql';
import { outbox } from './records';
import type { QueuedConfirmation, SubmitOutcome } from './outbox';

/**
 * The household's answer to a resolution (回访), recorded by the cadre on a later visit, often without
 * signal: it goes through the outbox like a help record, under a clientId made once when the screen
 * opened, so that a resend is the same answer to the server.
 */

/** The choices, in the order the screen offers them, with the campaign's labels. */
export const SATISFACTION_OPTIONS: readonly { value: Satisfaction; label: string }[] = [
  SatisfactionValues.SATISFIED,
  SatisfactionValues.BASICALLY_SATISFIED,
  SatisfactionValues.DISSATISFIED,
].map((value) => ({ value: value as Satisfaction, label: LABELS_ZH.Satisfaction[value] }));

export const MAX_CONFIRMATION_NOTE = 500;

export interface ConfirmationForm {
  satisfaction: Satisfaction | null;
  note: string;
}

export type ConfirmationErrors = Partial<Record<'satisfaction' | 'note' | 'answeredAt' | 'form', string>>;

/** The local checks, the server's rules: an answer chosen, a note up to 500 characters and required for 不满意. */
export function checkConfirmation(form: ConfirmationForm): { satisfaction: Satisfaction; note: string | null } | { errors: ConfirmationErrors } {
  const errors: ConfirmationErrors = {};
  const note = form.note.trim();
  if (!form.satisfaction) errors.satisfaction = '请选择群众的评价';
  if (form.satisfaction === 'DISSATISFIED' && note === '') errors.note = '选择“不满意”时，请写明群众不满意的原因';
  if (note.length > MAX_CONFIRMATION_NOTE) errors.note = `说明不超过 ${MAX_CONFIRMATION_NOTE} 字（现 ${note.length} 字）`;
  if (!form.satisfaction || Object.keys(errors).length > 0) return { errors };
  return { satisfaction: form.satisfaction, note: note === '' ? null : note };
}

/** Where a refusal of the server belongs on the screen (its extensions.field: "input.note"). */
export function confirmationFieldError(field: string | null | undefined, message: string): ConfirmationErrors {
  const key = (field ?? '').replace(/^input\./, '');
  if (key === 'note') return { note: `说明不被接受（${message}）` };
  if (key === 'satisfaction') return { satisfaction: `评价不被接受（${message}）` };
  if (key === 'answeredAt') return { answeredAt: `回访时间不被接受（不能晚于现在，也不能早于办结时间）（${message}）` };
  return { form: `提交被退回：${message}` };
}

export interface ConfirmationDraft {
  clientId: string;
  ownerId: string;
  householdId: string;
  householdName: string;
  demand: { id: string; category: string; text: string };
  satisfaction: Satisfaction;
  note: string | null;
  /** When the household answered: the moment the cadre recorded it, not when the signal returned. */
  answeredAt: string;
}

export function queuedConfirmation(draft: ConfirmationDraft): QueuedConfirmation {
  return {
    kind: 'confirmation',
    clientId: draft.clientId,
    ownerId: draft.ownerId,
    householdId: draft.householdId,
    householdName: draft.householdName,
    queuedAt: outbox.find(draft.clientId)?.queuedAt ?? new Date().toISOString(),
    input: { demandId: draft.demand.id, clientId: draft.clientId, satisfaction: draft.satisfaction, note: draft.note, answeredAt: draft.answeredAt },
    demandCategory: draft.demand.category,
    demandText: draft.demand.text,
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
  };
}

/** Queues the answer and tries to send it at once. */
export function submitConfirmation(draft: ConfirmationDraft): Promise<SubmitOutcome> {
  return outbox.submit(queuedConfirmation(draft));
}

/** Answers for this household still in the queue: their demands show as answered (待上传) meanwhile. */
export function queuedConfirmationsFor(householdId: string): QueuedConfirmation[] {
  return outbox.forHousehold(householdId).filter((item): item is QueuedConfirmation => item.kind === 'confirmation');
}

/** A demand awaiting confirmation as the household page showed it: the 回访 screen opens from it at once. */
export interface AwaitingDemand {
  id: string;
  category: string;
  text: string;
  resolvedAt?: string | null;
}

const seenAwaiting = new Map<string, AwaitingDemand>();

export function rememberAwaitingDemands(demands: readonly AwaitingDemand[]): void {
  for (const demand of demands) seenAwaiting.set(demand.id, demand);
}

export function seenAwaitingDemand(demandId: string): AwaitingDemand | null {
  return seenAwaiting.get(demandId) ?? null;
}
