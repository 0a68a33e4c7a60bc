/**
 * The page script of the office upload page (served at /imports/desk/assets/import-desk.js, built by
 * `pnpm --filter @wanjia/server build`).
 *
 * The sign-in is the IDE session's HttpOnly cookies (/ide/session): this script never sees a token. It
 * uploads the file to POST /imports, then follows the import through GraphQL (dataImport) until the check
 * is done, shows the counts and the problems page by page, accepts warnings, commits, cancels, and links
 * the template and the report (GET routes the cookie signs in). Everything it loads is on this server.
 */
import type { DeskPageConfig } from '../import-desk-config';

const SESSION_PATH = '/ide/session';
/** How often a running check or commit is asked for its progress. */
const POLL_MS = 1000;
const PROBLEMS_PER_PAGE = 50;
/** sessionStorage: the page has just renewed the session and reloaded (so it does not loop). */
const RENEWED_MARK = 'wanjia-desk-renewed';

interface Problem {
  code?: string;
  message?: string;
  field?: string;
}

interface ImportCounts {
  rows: number;
  ready: number;
  warnings: number;
  accepted: number;
  refused: number;
  created: number;
  updated: number;
  unchanged: number;
}

interface DataImportView {
  id: string;
  kind: string;
  mode: string;
  state: string;
  fileName: string;
  createdAt: string;
  rowsDone: number;
  rowsTotal: number | null;
  failure: string | null;
  counts: ImportCounts;
}

interface ProblemView {
  id: string;
  rowNumber: number;
  column: string | null;
  severity: string;
  code: string;
  message: string;
  accepted: boolean;
  elsewhere: string | null;
}

interface ProblemPage {
  nodes: ProblemView[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  totalCount?: number;
}

const IMPORT_FIELDS = `id kind mode state fileName createdAt rowsDone rowsTotal failure
  counts { rows ready warnings accepted refused created updated unchanged }`;

const IMPORT_QUERY = `query DeskImport($id: ID!) { dataImport(id: $id) { ${IMPORT_FIELDS} } }`;
const PROBLEMS_QUERY = `query DeskProblems($id: ID!, $first: Int, $after: String, $severity: ImportProblemSeverity, $unacceptedOnly: Boolean) {
  dataImport(id: $id) { id problems(first: $first, after: $after, severity: $severity, unacceptedOnly: $unacceptedOnly) {
    nodes { id rowNumber column severity code message accepted elsewhere } pageInfo { endCursor hasNextPage } totalCount } } }`;
const RECENT_QUERY = `query DeskRecent { dataImports(first: 10) { nodes { id kind state fileName createdAt } } }`;
const ACCEPT_MUTATION = `mutation DeskAccept($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { ${IMPORT_FIELDS} } }`;
const COMMIT_MUTATION = `mutation DeskCommit($input: CommitImportInput!) { commitImport(input: $input) { ${IMPORT_FIELDS} } }`;
const CANCEL_MUTATION = `mutation DeskCancel($input: CancelImportInput!) { cancelImport(input: $input) { ${IMPORT_FIELDS} } }`;

/** States in which the server is still working on the import: the page keeps asking. */
const RUNNING_STATES = new Set(['UPLOADED', 'CHECKING', 'COMMITTING']);

class SignedOutError extends Error {}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

function pageConfig(): DeskPageConfig {
  return JSON.parse(document.getElementById('wanjia-desk-config')?.textContent ?? '{"mode":"sign-in"}') as DeskPageConfig;
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as { error?: Problem };
    return body.error ?? {};
  } catch {
    return {};
  }
}

/** The access cookie lasts minutes; a check of a large file, or a lunch break, outlasts it. */
async function renewSession(): Promise<boolean> {
  const renewed = await postJson(`${SESSION_PATH}/renew`, {}).catch(() => null);
  return renewed?.ok === true;
}

/** A request signed in by the session cookie, renewed once when the access cookie has run out. */
async function sessionFetch(send: () => Promise<Response>): Promise<Response> {
  const first = await send();
  if (first.status !== 401) return first;
  if (!(await renewSession())) throw new SignedOutError('signed out');
  const second = await send();
  if (second.status === 401) throw new SignedOutError('signed out');
  return second;
}

class GraphQLRefusal extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

async function graphql<T>(endpoint: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const run = async (): Promise<{ data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] }> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  let body = await run();
  if (body.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED')) {
    if (!(await renewSession())) throw new SignedOutError('signed out');
    body = await run();
    if (body.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED')) throw new SignedOutError('signed out');
  }
  const error = body.errors?.[0];
  if (error || !body.data) throw new GraphQLRefusal(error?.message ?? '服务器没有返回数据', error?.extensions?.code);
  return body.data;
}

/** What a refusal means for the office, in Chinese; the server's own words follow where it says more. */
function refusalText(code: string | undefined, message: string): string {
  switch (code) {
    case 'FORBIDDEN':
      return `无权操作：${message}`;
    case 'NOT_FOUND':
      return '找不到这次导入（可能不在您的管辖范围内）。';
    case 'CONFLICT':
      return `当前状态下不能这样做：${message}`;
    case 'TOO_MANY_REQUESTS':
      return '操作过于频繁，请稍后再试。';
    case 'PAYLOAD_TOO_LARGE':
      return `文件太大：${message}`;
    case 'BAD_USER_INPUT':
      return message;
    default:
      return message || '操作失败，请稍后再试。';
  }
}

// --- the sign-in form -------------------------------------------------------------------------------

function signInRefusal(status: number, problem: Problem, retryAfter: string | null): string {
  switch (problem.code) {
    case 'PASSWORD_CHANGE_REQUIRED':
      return '这是一次性密码，请设置新密码后登录。';
    case 'TOO_MANY_REQUESTS':
      return `尝试次数过多，请${retryAfter ? ` ${Math.ceil(Number(retryAfter) / 60)} 分钟` : '稍'}后再试。`;
    case 'FORBIDDEN':
      return '此账号不能在此登录（干部请使用微信小程序）。';
    case 'BAD_USER_INPUT':
      if (problem.field === 'username') return '请输入用户名。';
      if (problem.field === 'password') return '请输入密码。';
      if (problem.field === 'newPassword') return `新密码不符合要求：${problem.message ?? ''}`;
      return problem.message ?? '输入有误。';
    case 'UNAUTHENTICATED':
      return '用户名或密码错误。';
    default:
      return status >= 500 ? '服务器暂时不可用，请稍后再试。' : (problem.message ?? `登录失败（${status}）`);
  }
}

function runSignIn(): void {
  const form = element<HTMLFormElement>('desk-sign-in');
  const errorText = element('desk-sign-in-error');
  const newPasswordRow = element('desk-new-password-row');
  // A page reloaded after the access cookie ended still has the session's refresh cookie: renew first
  // (once: a page back on this form right after a renewal stays on the form).
  const justRenewed = sessionStorage.getItem(RENEWED_MARK) !== null;
  sessionStorage.removeItem(RENEWED_MARK);
  if (!justRenewed) {
    void renewSession().then((renewed) => {
      if (!renewed) return;
      sessionStorage.setItem(RENEWED_MARK, '1');
      location.reload();
    });
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const newPassword = String(data.get('newPassword') ?? '');
    if (!username || !password) {
      errorText.textContent = signInRefusal(400, { code: 'BAD_USER_INPUT', field: username ? 'password' : 'username' }, null);
      return;
    }
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    errorText.textContent = '';
    const body = newPasswordRow.hidden || !newPassword ? { username, password } : { username, password, newPassword };
    void postJson(SESSION_PATH, body)
      .then(async (response) => {
        if (response.ok) {
          location.reload();
          return;
        }
        const problem = await problemOf(response);
        if (problem.code === 'PASSWORD_CHANGE_REQUIRED') {
          newPasswordRow.hidden = false;
          element<HTMLInputElement>('desk-new-password').focus();
        }
        errorText.textContent = signInRefusal(response.status, problem, response.headers.get('retry-after'));
      })
      .catch(() => {
        errorText.textContent = '无法连接服务器。';
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}

function wireSignOut(): void {
  const button = document.getElementById('desk-sign-out') as HTMLButtonElement | null;
  button?.addEventListener('click', () => {
    button.disabled = true;
    void postJson(`${SESSION_PATH}/end`, {})
      .catch(() => undefined)
      .finally(() => {
        location.hash = '';
        location.reload();
      });
  });
}

// --- the desk ---------------------------------------------------------------------------------------

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString('zh-CN', { hour12: false });
}

function runDesk(config: Extract<DeskPageConfig, { mode: 'desk' }>): void {
  const kindLabel = new Map(config.kinds.map((kind) => [kind.value, kind.label]));
  const modeLabel = new Map(config.modes.map((mode) => [mode.value, mode.label]));
  const stateLabel = (state: string): string => config.labels.states[state] ?? state;
  const severityLabel = (severity: string): string => config.labels.severities[severity] ?? severity;

  const kindSelect = element<HTMLSelectElement>('desk-kind');
  const templateLink = element<HTMLAnchorElement>('desk-template');
  const uploadForm = element<HTMLFormElement>('desk-upload-form');
  const fileInput = element<HTMLInputElement>('desk-file');
  const uploadError = element('desk-upload-error');
  const uploadButton = element<HTMLButtonElement>('desk-upload-button');
  const importSection = element('desk-import');
  const problemsSection = element('desk-problems');
  const summary = element('desk-import-summary');
  const progress = element<HTMLProgressElement>('desk-progress');
  const progressText = element('desk-progress-text');
  const stateText = element('desk-state');
  const failureText = element('desk-failure');
  const commitButton = element<HTMLButtonElement>('desk-commit');
  const cancelButton = element<HTMLButtonElement>('desk-cancel');
  const reportLink = element<HTMLAnchorElement>('desk-report');
  const newButton = element<HTMLButtonElement>('desk-new');
  const actionMessage = element('desk-action-message');
  const severitySelect = element<HTMLSelectElement>('desk-severity');
  const unacceptedBox = element<HTMLInputElement>('desk-unaccepted');
  const acceptAllButton = element<HTMLButtonElement>('desk-accept-all');
  const acceptPageButton = element<HTMLButtonElement>('desk-accept-page');
  const problemRows = element('desk-problem-rows');
  const problemsCaption = element('desk-problems-caption');
  const previousButton = element<HTMLButtonElement>('desk-previous');
  const nextButton = element<HTMLButtonElement>('desk-next');
  const pageText = element('desk-page');
  const recentRows = element('desk-recent-rows');

  let current: DataImportView | null = null;
  let pollTimer = 0;
  /** The cursors of the pages shown so far: the last is this page's, the one before it the previous page's. */
  let pageCursors: (string | null)[] = [null];
  let nextCursor: string | null = null;
  /** The rows on the page shown whose warnings wait: one mutation accepts them all (a click per row would soon hit the write budget). */
  let pageWarningRows: number[] = [];

  const signedOut = (): void => {
    location.reload();
  };
  const failed = (error: unknown, where: HTMLElement): void => {
    if (error instanceof SignedOutError) return signedOut();
    if (error instanceof GraphQLRefusal) where.textContent = refusalText(error.code, error.message);
    else where.textContent = '无法连接服务器，请检查网络后重试。';
  };

  const updateTemplateLink = (): void => {
    templateLink.href = `/imports/templates/${encodeURIComponent(kindSelect.value)}.xlsx`;
    templateLink.textContent = `下载“${kindLabel.get(kindSelect.value) ?? kindSelect.value}”模板（.xlsx）`;
  };
  kindSelect.addEventListener('change', updateTemplateLink);
  updateTemplateLink();

  const showImport = (view: DataImportView): void => {
    current = view;
    importSection.hidden = false;
    summary.textContent = `导入 #${view.id}：${view.fileName}（${kindLabel.get(view.kind) ?? view.kind}，${modeLabel.get(view.mode) ?? view.mode}）`;
    const total = view.rowsTotal ?? 0;
    progress.max = Math.max(total, 1);
    progress.value = Math.min(view.rowsDone, progress.max);
    progressText.textContent = total > 0 ? `${view.rowsDone} / ${total} 行` : `${view.rowsDone} 行`;
    element('desk-progress-label').textContent = view.state === 'COMMITTING' || view.state === 'COMMITTED' ? '导入进度' : '检查进度';
    stateText.textContent = `状态：${stateLabel(view.state)}`;
    failureText.textContent = view.failure ? `失败原因：${view.failure}` : '';
    for (const cell of importSection.querySelectorAll<HTMLElement>('[data-count]')) {
      const key = cell.dataset.count as keyof ImportCounts;
      cell.textContent = String(view.counts[key] ?? '–');
    }
    const writable = view.counts.ready + view.counts.accepted;
    commitButton.disabled = view.state !== 'CHECKED' || writable === 0;
    commitButton.textContent = view.state === 'CHECKED' ? `确认导入（${writable} 行）` : '确认导入';
    cancelButton.disabled = !['UPLOADED', 'CHECKING', 'CHECKED'].includes(view.state);
    acceptAllButton.disabled = view.state !== 'CHECKED' || view.counts.warnings <= view.counts.accepted;
    const reportReady = ['CHECKED', 'COMMITTING', 'COMMITTED', 'FAILED'].includes(view.state);
    reportLink.hidden = !reportReady;
    const format = /\.csv$/i.test(view.fileName) ? 'csv' : 'xlsx';
    reportLink.href = `/imports/${encodeURIComponent(view.id)}/report.${format}`;
    reportLink.textContent = `下载问题报告（原表加“问题”列，.${format}）`;
    problemsSection.hidden = !reportReady && view.state !== 'CANCELLED';
  };

  const loadProblems = async (cursor: string | null): Promise<void> => {
    if (!current) return;
    const data = await graphql<{ dataImport: { problems: ProblemPage } }>(config.endpoint, PROBLEMS_QUERY, {
      id: current.id,
      first: PROBLEMS_PER_PAGE,
      after: cursor,
      severity: severitySelect.value || null,
      unacceptedOnly: unacceptedBox.checked,
    });
    const page = data.dataImport.problems;
    problemRows.replaceChildren(
      ...page.nodes.map((problem) => {
        const row = document.createElement('tr');
        row.className = `desk-severity-${problem.severity}`;
        row.dataset.row = String(problem.rowNumber);
        const cells = [
          `第 ${problem.rowNumber} 行`,
          problem.column ?? '整行',
          severityLabel(problem.severity),
          problem.elsewhere ? `${problem.message}（${problem.elsewhere}）` : problem.message,
        ];
        for (const text of cells) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        const action = document.createElement('td');
        if (problem.severity === 'WARNING' && problem.accepted) action.textContent = '已接受';
        else if (problem.severity === 'WARNING') {
          const accept = document.createElement('button');
          accept.type = 'button';
          accept.className = 'desk-secondary';
          accept.textContent = '接受';
          accept.setAttribute('aria-label', `接受第 ${problem.rowNumber} 行的提醒`);
          accept.disabled = current?.state !== 'CHECKED';
          accept.addEventListener('click', () => void acceptRows([problem.rowNumber], accept));
          action.append(accept);
        } else action.textContent = '须修改文件';
        row.append(action);
        return row;
      }),
    );
    if (page.nodes.length === 0) {
      const row = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 5;
      cell.textContent = current.state === 'CHECKING' || current.state === 'UPLOADED' ? '检查中……' : '没有问题。';
      row.append(cell);
      problemRows.append(row);
    }
    pageWarningRows = [...new Set(page.nodes.filter((problem) => problem.severity === 'WARNING' && !problem.accepted).map((problem) => problem.rowNumber))];
    acceptPageButton.disabled = current.state !== 'CHECKED' || pageWarningRows.length === 0;
    nextCursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    const pageNumber = pageCursors.length;
    const totalPages = page.totalCount !== undefined ? Math.max(1, Math.ceil(page.totalCount / PROBLEMS_PER_PAGE)) : null;
    problemsCaption.textContent = page.totalCount !== undefined ? `问题（共 ${page.totalCount} 条）` : '问题';
    pageText.textContent = totalPages !== null ? `第 ${pageNumber} / ${totalPages} 页` : `第 ${pageNumber} 页`;
    previousButton.disabled = pageCursors.length <= 1;
    nextButton.disabled = nextCursor === null;
  };

  const reloadProblemsFromStart = (): void => {
    pageCursors = [null];
    void loadProblems(null).catch((error: unknown) => failed(error, actionMessage));
  };

  const refresh = async (): Promise<void> => {
    if (!current) return;
    const before = current.state;
    const data = await graphql<{ dataImport: DataImportView }>(config.endpoint, IMPORT_QUERY, { id: current.id });
    showImport(data.dataImport);
    if (before !== data.dataImport.state) {
      reloadProblemsFromStart();
      void loadRecent();
      if (data.dataImport.state === 'CHECKED') actionMessage.textContent = '检查完成。请查看问题清单，需要时接受提醒，然后确认导入。';
      if (data.dataImport.state === 'COMMITTED') actionMessage.textContent = '导入完成。';
    }
  };

  const follow = (): void => {
    window.clearTimeout(pollTimer);
    if (!current || !RUNNING_STATES.has(current.state)) return;
    pollTimer = window.setTimeout(() => {
      void refresh()
        .then(follow)
        .catch((error: unknown) => {
          failed(error, actionMessage);
          // A blip of the network: keep following.
          if (!(error instanceof GraphQLRefusal)) follow();
        });
    }, POLL_MS);
  };

  const open = async (id: string): Promise<void> => {
    actionMessage.textContent = '';
    const data = await graphql<{ dataImport: DataImportView }>(config.endpoint, IMPORT_QUERY, { id });
    history.replaceState(null, '', `#import=${encodeURIComponent(id)}`);
    showImport(data.dataImport);
    reloadProblemsFromStart();
    follow();
  };

  const acceptRows = async (rowNumbers: number[] | 'all', button: HTMLButtonElement): Promise<void> => {
    if (!current) return;
    button.disabled = true;
    try {
      const input = rowNumbers === 'all' ? { importId: current.id, all: true } : { importId: current.id, rowNumbers };
      const data = await graphql<{ acceptImportWarnings: DataImportView }>(config.endpoint, ACCEPT_MUTATION, { input });
      showImport(data.acceptImportWarnings);
      actionMessage.textContent = rowNumbers === 'all' ? '已接受全部提醒。' : `已接受第 ${rowNumbers.join('、')} 行的提醒。`;
      await loadProblems(pageCursors[pageCursors.length - 1] ?? null);
    } catch (error) {
      failed(error, actionMessage);
      button.disabled = false;
    }
  };

  uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    uploadError.textContent = '';
    const file = fileInput.files?.[0];
    if (!file) {
      uploadError.textContent = '请选择要上传的文件。';
      fileInput.focus();
      return;
    }
    const mode = (uploadForm.elements.namedItem('mode') as RadioNodeList | null)?.value || 'CREATE_ONLY';
    uploadButton.disabled = true;
    uploadButton.textContent = '上传中……';
    void sessionFetch(() => {
      // The engine reads the fields before the file: kind and mode first.
      const body = new FormData();
      body.append('kind', kindSelect.value);
      body.append('mode', mode);
      body.append('file', file, file.name);
      return fetch('/imports', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' }, body });
    })
      .then(async (response) => {
        if (response.status !== 201) {
          const problem = await problemOf(response);
          uploadError.textContent = `上传未成功：${refusalText(problem.code, problem.message ?? `HTTP ${response.status}`)}`;
          return;
        }
        const created = (await response.json()) as { id: string };
        uploadForm.reset();
        updateTemplateLink();
        await open(created.id);
        void loadRecent();
        importSection.scrollIntoView({ block: 'start' });
        stateText.focus();
      })
      .catch((error: unknown) => failed(error, uploadError))
      .finally(() => {
        uploadButton.disabled = false;
        uploadButton.textContent = '上传并检查';
      });
  });

  commitButton.addEventListener('click', () => {
    if (!current) return;
    commitButton.disabled = true;
    actionMessage.textContent = '正在导入……';
    void graphql<{ commitImport: DataImportView }>(config.endpoint, COMMIT_MUTATION, { input: { importId: current.id } })
      .then((data) => {
        showImport(data.commitImport);
        if (data.commitImport.state === 'COMMITTED') actionMessage.textContent = '导入完成。';
        follow();
      })
      .catch((error: unknown) => {
        failed(error, actionMessage);
        if (current) showImport(current);
      });
  });

  cancelButton.addEventListener('click', () => {
    if (!current || !window.confirm('取消后这次导入不会写入任何数据。确定取消吗？')) return;
    cancelButton.disabled = true;
    void graphql<{ cancelImport: DataImportView }>(config.endpoint, CANCEL_MUTATION, { input: { importId: current.id } })
      .then((data) => {
        showImport(data.cancelImport);
        actionMessage.textContent = '已取消本次导入。';
        void loadRecent();
      })
      .catch((error: unknown) => {
        failed(error, actionMessage);
        if (current) showImport(current);
      });
  });

  acceptAllButton.addEventListener('click', () => void acceptRows('all', acceptAllButton));
  acceptPageButton.addEventListener('click', () => {
    if (pageWarningRows.length > 0) void acceptRows(pageWarningRows, acceptPageButton);
  });

  newButton.addEventListener('click', () => {
    window.clearTimeout(pollTimer);
    current = null;
    importSection.hidden = true;
    problemsSection.hidden = true;
    history.replaceState(null, '', location.pathname);
    kindSelect.focus();
  });

  severitySelect.addEventListener('change', reloadProblemsFromStart);
  unacceptedBox.addEventListener('change', reloadProblemsFromStart);
  nextButton.addEventListener('click', () => {
    if (nextCursor === null) return;
    pageCursors.push(nextCursor);
    void loadProblems(nextCursor).catch((error: unknown) => failed(error, actionMessage));
  });
  previousButton.addEventListener('click', () => {
    if (pageCursors.length <= 1) return;
    pageCursors.pop();
    void loadProblems(pageCursors[pageCursors.length - 1] ?? null).catch((error: unknown) => failed(error, actionMessage));
  });

  const loadRecent = async (): Promise<void> => {
    const data = await graphql<{ dataImports: { nodes: Pick<DataImportView, 'id' | 'kind' | 'state' | 'fileName' | 'createdAt'>[] } }>(
      config.endpoint,
      RECENT_QUERY,
      {},
    ).catch(() => null);
    if (!data) return;
    if (data.dataImports.nodes.length === 0) {
      const row = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 6;
      cell.textContent = '还没有导入记录。';
      row.append(cell);
      recentRows.replaceChildren(row);
      return;
    }
    recentRows.replaceChildren(
      ...data.dataImports.nodes.map((item) => {
        const row = document.createElement('tr');
        for (const text of [`#${item.id}`, item.fileName, kindLabel.get(item.kind) ?? item.kind, stateLabel(item.state), formatTime(item.createdAt)]) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        const action = document.createElement('td');
        const openButton = document.createElement('button');
        openButton.type = 'button';
        openButton.className = 'desk-secondary';
        openButton.textContent = '查看';
        openButton.setAttribute('aria-label', `查看导入 #${item.id}`);
        openButton.addEventListener('click', () => void open(item.id).catch((error: unknown) => failed(error, actionMessage)));
        action.append(openButton);
        row.append(action);
        return row;
      }),
    );
  };

  stateText.tabIndex = -1;
  void loadRecent();
  const fromHash = /^#import=([^&]+)$/.exec(location.hash)?.[1];
  if (fromHash) void open(decodeURIComponent(fromHash)).catch((error: unknown) => failed(error, actionMessage));
}

// --- start ------------------------------------------------------------------------------------------

const config = pageConfig();
if (config.mode !== 'sign-in') sessionStorage.removeItem(RENEWED_MARK);
if (config.mode === 'sign-in') runSignIn();
else {
  wireSignOut();
  if (config.mode === 'desk') runDesk(config);
}
