import { refreshCaseload } from '@/services/caseload';
import { goHome } from '@/services/navigation';

/**
 * After signing in: to the households list, with the whole caseload fetched for offline use at once
 * (a new sign-in has no copy: sign-out removed the last account's).
 */
export function enterApp(): void {
  void refreshCaseload({ force: true });
  goHome();
}
