import { RevealResidentIdNumberDocument } from '@/graphql/generated/graphql';
import { request } from './api';

/**
 * The full ID number of a resident, for a stated reason the server keeps in its audit trail. The answer
 * is for the screen that asked only: it is never cached, stored or put in an offline copy.
 */

/** The server's rule for the reason (RevealResidentArgs: 4 to 255 characters). */
export const MIN_REVEAL_REASON = 4;
export const MAX_REVEAL_REASON = 255;

/** Reasons a cadre commonly has; "其他" lets them write their own. */
export const REVEAL_REASONS: readonly string[] = ['办理低保、救助等业务需核对身份', '协助群众办理证件或社保', '核实家庭成员信息'];

export function checkRevealReason(reason: string): string | null {
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REVEAL_REASON) return `请写明查看原因（至少 ${MIN_REVEAL_REASON} 个字）`;
  if (trimmed.length > MAX_REVEAL_REASON) return `原因不超过 ${MAX_REVEAL_REASON} 字`;
  return null;
}

export async function revealIdNumber(residentId: string, reason: string): Promise<string | null> {
  const data = await request(RevealResidentIdNumberDocument, { id: residentId, reason: reason.trim() });
  return data.revealResident.idNumber ?? null;
}
