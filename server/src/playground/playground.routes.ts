import { getDistDirectory, isSandboxFrame, renderAltair, SANDBOX_FRAME_CSP } from 'altair-static';
import express from 'express';
import { cspNonceOf } from '../http/security-headers';

export interface ExampleOperation {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

export interface PlaygroundOptions {
  /** Where the IDE sends its operations. */
  endpoint: string;
  /** Where browsers open the IDE; may be the GraphQL endpoint itself, mounted before Apollo. */
  path: string;
  /** Opened as one tab each, so a newcomer starts from working operations. */
  exampleOperations: ExampleOperation[];
}

/**
 * Serves the Altair GraphQL IDE from altair-static's prebuilt files. Intranets (and our own machines)
 * cannot reach a CDN, so every script, style, font and image comes from this app.
 * The IDE itself grants nothing: every operation it sends is authorised by the API like any other.
 */
export function mountPlayground(app: express.Express, options: PlaygroundOptions): void {
  const path = options.path.replace(/\/+$/, '');
  // renderAltair inlines the options in a <script>: a "</script" in them would end it early.
  if (/<\/script/i.test(JSON.stringify(options))) {
    throw new Error('playground options must not contain "</script"');
  }
  // Altair only accepts an absolute endpoint URL, and only the browser knows the scheme and host it
  // reached us by (behind a TLS proxy we may see plain http): a placeholder is swapped for code
  // that resolves the endpoint against the page's own address.
  const endpointPlaceholder = 'WANJIA_PLAYGROUND_ENDPOINT';
  // The page's Content-Security-Policy lets only scripts with this response's nonce run (see
  // http/security-headers.ts); the page is rendered once with a placeholder, and each response
  // gets its own nonce in its place.
  const noncePlaceholder = 'WANJIA_CSP_NONCE';
  const rendered = renderAltair({
    cspNonce: noncePlaceholder,
    baseURL: `${path}/`,
    endpointURL: endpointPlaceholder,
    initialWindows: options.exampleOperations.map((operation) => ({
      initialName: operation.name,
      endpointURL: endpointPlaceholder,
      initialQuery: operation.query,
      initialVariables: operation.variables ? JSON.stringify(operation.variables, null, 2) : undefined,
    })),
    // The token goes in each tab's headers (Authorization: Bearer …); a preset empty header would
    // make the API reject even the login mutation, so none is preset.
    initialSettings: {
      // Altair's update check, release banners and notifications would call the internet.
      'alert.disableUpdateNotification': true,
      'banners.disable': true,
      disablePushNotification: true,
      'plugin.list': [],
    },
    // Altair's cloud account and sync live on the internet; nothing may leave the intranet.
    disableAccount: true,
    // Each load starts from the current examples, and no access token is left behind in the
    // browser's storage (admins may share office PCs): a reload means pasting the token again.
    preserveState: false,
  });
  // Rendered once: the options are fixed for the life of the process.
  const html = rendered.replaceAll(`\`${endpointPlaceholder}\``, `new URL(${JSON.stringify(options.endpoint)}, location.href).href`);
  if (html.includes(endpointPlaceholder)) throw new Error('altair-static rendered its options in an unexpected form');
  if (!/<script[^>]*nonce="WANJIA_CSP_NONCE"/.test(html)) throw new Error('altair-static no longer puts the CSP nonce on its init script');
  const pageAroundNonces = html.split(noncePlaceholder);

  app.get(options.path, (request, response, next) => {
    // Only a browser asking for a page gets the IDE; clients asking for JSON (and GET queries)
    // fall through to Apollo, which is mounted after us on the same path.
    const wantsPage = request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsPage || request.query.query !== undefined) return next();
    // A base64 nonce has no character that needs escaping in an attribute or a JavaScript string.
    response
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(pageAroundNonces.join(cspNonceOf(response)));
  });

  app.use(
    path,
    express.static(getDistDirectory(), {
      index: false,
      redirect: false,
      // Altair runs user pre-request scripts in this frame; Altair asks that it be sandboxed.
      setHeaders: (response, file) => {
        if (isSandboxFrame(file)) response.setHeader('Content-Security-Policy', SANDBOX_FRAME_CSP);
      },
    }),
  );
}
