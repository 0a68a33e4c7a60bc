import fs from 'node:fs';
import path from 'node:path';
import { ImportKind, ImportMode, INTAKE_LABELS_ZH, Role } from '@wanjia/shared';
import express from 'express';
import type { AppConfig } from '../../config';
import type { Orm } from '../../core/entity-manager';
import { cspNonceOf } from '../../http/security-headers';
import type { Logger } from '../../logger';
import { ideSessionActor } from '../../modules/auth/ide-session';
import { importKinds } from '../../modules/imports/kinds';
import { signedInStaffOf } from '../signed-in-staff';
import type { DeskPageConfig } from './import-desk-config';
import { IMPORT_DESK_ASSETS_PATH, IMPORT_DESK_PATH, renderImportDeskPage } from './import-desk-page';

export interface ImportDeskOptions {
  orm: Orm;
  config: AppConfig;
  logger: Logger;
}

/** The page script (built from client/ by `pnpm --filter @wanjia/server build`), found from src/ (tests) and dist/ alike. */
const CLIENT_SCRIPT = path.resolve(__dirname, '../../../dist/import-desk-client/client/import-desk.js');
const CLIENT_STYLE = path.resolve(__dirname, '../../../src/playground/import-desk/client/import-desk.css');

/**
 * The kinds the engine takes (its registry: a kind not there yet is not offered, rather than refused
 * after the upload) and the modes, in the order an office meets them, by their Chinese labels.
 */
function deskChoices(config: AppConfig): Pick<Extract<DeskPageConfig, { mode: 'desk' }>, 'kinds' | 'modes' | 'labels'> {
  const registered = importKinds({ elsewherePerDay: config.imports.elsewherePerDay, now: () => new Date() });
  return {
    kinds: Object.values(ImportKind)
      .filter((kind) => registered[kind] !== undefined)
      .map((kind) => ({ value: kind, label: INTAKE_LABELS_ZH.ImportKind[kind] })),
    modes: [ImportMode.CREATE_ONLY, ImportMode.UPDATE_EXISTING].map((mode) => ({ value: mode, label: INTAKE_LABELS_ZH.ImportMode[mode] })),
    labels: { states: { ...INTAKE_LABELS_ZH.ImportState }, severities: { ...INTAKE_LABELS_ZH.ImportProblemSeverity } },
  };
}

/**
 * The office upload page at /imports/desk (issue 16): a page of its own rather than the GraphQL IDE,
 * because an office worker with a spreadsheet should not have to write a query, pick a file in a
 * multipart form by hand, or read JSON. It is signed in by the IDE session (the same cookies and
 * /ide/session routes: one sign-in for both pages), speaks Chinese, and loads nothing from outside this
 * server. The page grants nothing: the upload, the checks and the commit are the engine's routes and
 * GraphQL, authorised as for any other client (administrators in scope only).
 */
export function importDeskRoutes({ orm, config, logger }: ImportDeskOptions): express.Router {
  const router = express.Router();

  router.get(`${IMPORT_DESK_ASSETS_PATH}/:file`, (request, response, next) => {
    const file = request.params.file === 'import-desk.js' ? CLIENT_SCRIPT : request.params.file === 'import-desk.css' ? CLIENT_STYLE : null;
    if (!file) return next();
    if (!fs.existsSync(file)) {
      logger.error({ file }, 'the import desk page script is not built: run pnpm --filter @wanjia/server build');
      return response.status(404).end();
    }
    response
      .type(file.endsWith('.js') ? 'text/javascript' : 'text/css')
      .set('Cache-Control', 'no-cache')
      .sendFile(file);
  });

  router.get(IMPORT_DESK_PATH, async (_request, response) => {
    try {
      const nonce = cspNonceOf(response);
      const em = orm.em.fork();
      const { actor } = await ideSessionActor(_request, config, em);
      const staff = actor ? await signedInStaffOf(em, actor) : null;
      response.type('html').set('Cache-Control', 'no-store');
      let pageConfig: DeskPageConfig;
      if (!staff) pageConfig = { mode: 'sign-in' };
      else if (staff.role !== Role.ADMIN) pageConfig = { mode: 'not-admin', staff };
      else pageConfig = { mode: 'desk', staff, endpoint: '/graphql', ...deskChoices(config) };
      response.send(renderImportDeskPage(nonce, pageConfig));
    } catch (error) {
      logger.error({ err: error }, 'the import desk page failed');
      response.status(500).type('text').send('Internal server error');
    }
  });

  return router;
}
