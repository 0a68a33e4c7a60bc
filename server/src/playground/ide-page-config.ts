// Types only (no imports): read by the server, which writes the page, and by ide-client/, which runs in it.

/** A saved operation of the cookbook, as the page script files it into Altair's collections. */
export interface IdeRecipe {
  name: string;
  description: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface IdeChapter {
  title: string;
  recipes: IdeRecipe[];
}

export interface IdeStaff {
  username: string;
  role: string;
  roleLabel: string;
  scopeRegion: { name: string; code: string; levelLabel: string } | null;
}

/** What the server tells the page script, in a JSON <script> element (`#wanjia-ide-config`). */
export type IdePageConfig = { mode: 'sign-in'; endpoint: string } | { mode: 'ide'; endpoint: string; staff: IdeStaff; cookbook: IdeChapter[] };

/** What the /ide/session routes answer (modules/auth/ide-session.ts). */
export interface IdeSessionInfo {
  username: string;
  role: string;
  scopeRegion: { id: string; name: string; code: string; level: string } | null;
  accessTokenExpiresAt: string;
  sessionExpiresAt: string;
}
