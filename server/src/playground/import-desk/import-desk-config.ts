// Types only (no imports): read by the server, which writes the page, and by client/, which runs in it.

/** An option of one of the page's lists (kinds, modes), as the office reads it. */
export interface DeskChoice {
  value: string;
  label: string;
}

/** Who is signed in, as the page's bar names them. */
export interface DeskStaff {
  username: string;
  roleLabel: string;
  scopeRegion: { name: string; code: string; levelLabel: string } | null;
}

/** The Chinese labels of the import's enumerations, so that the page shows no enum names. */
export interface DeskLabels {
  states: Record<string, string>;
  severities: Record<string, string>;
}

/**
 * What the server tells the page script, in a JSON <script> element (`#wanjia-desk-config`):
 * the sign-in form, the desk itself, or (an analyst signed in) why there is nothing to do here.
 */
export type DeskPageConfig =
  | { mode: 'sign-in' }
  | { mode: 'not-admin'; staff: DeskStaff }
  | { mode: 'desk'; staff: DeskStaff; endpoint: string; kinds: DeskChoice[]; modes: DeskChoice[]; labels: DeskLabels };
