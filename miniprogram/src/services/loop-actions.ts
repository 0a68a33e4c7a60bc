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
 * instead of writing the step twice. An action is its kind, its subject and its content: a different
 * note, unit, due date, reason or resolution is another action with a clientId of its own (the server
 * answers a kept clientId as a resend of the step it stored, so reusing it for new content would lose
 * the new content; it refuses that with CONFLICT on input.clientId).
 */

/** What an action is on: e.g. actionKey('refer', demandId). */
export type LoopAction = 'start' | 'refer' | 'accept' | 'return' | 'progress' | 'resolve';

export function actionKey(action: LoopAction, subjectId: string): string {
  return `${action}:${subjectId}`;
}

/** The content an action sends beside its clientId (a note, a unit and due date, a reason…). */
export type ActionContent = Record<string, string | null>;

interface KeptAction {
  clientId: string;
  /** The content it was made for, as sent (JSON with sorted keys). */
  content: string;
}

function storageKey(key: string): string | null {
  const accountId = getSession()?.accountId;
  return accountId === undefined ? null : `loop-action:${accountId}:${key}`;
}

function contentOf(content: ActionContent): string {
  return JSON.stringify(
    Object.keys(content)
      .sort()
      .map((name) => [name, content[name] ?? null]),
  );
}

/**
 * The clientId to send for the action: the one of an attempt with the same content the server has
 * not answered yet, else a new one (which replaces a kept one for other content).
 */
export function clientIdFor(key: string, content: ActionContent = {}): string {
  const stored = storageKey(key);
  const wanted = contentOf(content);
  const waiting = stored ? readStored<KeptAction>(stored) : null;
  if (waiting && typeof waiting === 'object' && waiting.content === wanted) return waiting.clientId;
  const made: KeptAction = { clientId: newClientId(), content: wanted };
  if (stored) writeStored(stored, made);
  return made.clientId;
}

/** The server answered (stored it, or refused it and stored nothing): the next action is a new one. */
export function settleAction(key: string): void {
  const stored = storageKey(key);
  if (stored) removeStored(stored);
}

/**
 * Sends an action under its kept clientId (for this content). A stored outcome or a refusal settles
 * it; a failure without the server's verdict (no signal, timeout, overload) keeps the clientId for the
 * retry of the same content.
 */
export async function runAction<T>(key: string, content: ActionContent, send: (clientId: string) => Promise<T>): Promise<T> {
  const clientId = clientIdFor(key, content);
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
