import { newClientId } from './ids';
import { isRefusal } from './errors';
import { getSession } from './session';
import { readStored, removeStored, writeStored } from './storage';

/**
 * The clientId of a demand-loop action (开始办理, 交办, 签收, 退回, 办理进展, 办结). These are not queued
 * like help records: each is decided by the server against the demand's state at that moment (another
 * handler may have signed first), so the cadre needs the answer. But a weak signal can swallow the
 * answer of a write the server did store: the clientId is made once per action and kept (on the phone,
 * under the account) until the server has answered it, so that tapping again, or opening the screen
 * again after the app was closed, sends the same clientId and the server answers the same outcome
 * instead of writing the step twice.
 */

/** What an action is on: e.g. actionKey('refer', demandId). */
export type LoopAction = 'start' | 'refer' | 'accept' | 'return' | 'progress' | 'resolve';

export function actionKey(action: LoopAction, subjectId: string): string {
  return `${action}:${subjectId}`;
}

function storageKey(key: string): string | null {
  const accountId = getSession()?.accountId;
  return accountId === undefined ? null : `loop-action:${accountId}:${key}`;
}

/** The clientId to send for the action: the one of an attempt the server has not answered yet, else a new one. */
export function clientIdFor(key: string): string {
  const stored = storageKey(key);
  const waiting = stored ? readStored<string>(stored) : null;
  if (waiting) return waiting;
  const made = newClientId();
  if (stored) writeStored(stored, made);
  return made;
}

/** The server answered (stored it, or refused it and stored nothing): the next action is a new one. */
export function settleAction(key: string): void {
  const stored = storageKey(key);
  if (stored) removeStored(stored);
}

/**
 * Sends an action under its kept clientId. A stored outcome or a refusal settles it; a failure
 * without the server's verdict (no signal, timeout, overload) keeps the clientId for the retry.
 */
export async function runAction<T>(key: string, send: (clientId: string) => Promise<T>): Promise<T> {
  const clientId = clientIdFor(key);
  try {
    const result = await send(clientId);
    settleAction(key);
    return result;
  } catch (error) {
    if (isRefusal(error)) settleAction(key);
    throw error;
  }
}

/** A note, reason or resolution checked as the server does: trimmed, required, at most max characters. */
export function checkText(text: string, max: number, what: string): { value: string } | { error: string } {
  const value = text.trim();
  if (value === '') return { error: `请填写${what}` };
  if (value.length > max) return { error: `${what}不超过 ${max} 字（现 ${value.length} 字）` };
  return { value };
}

/** The same for an optional note: empty is null. */
export function checkOptionalText(text: string, max: number, what: string): { value: string | null } | { error: string } {
  if (text.trim() === '') return { value: null };
  return checkText(text, max, what);
}
