/**
 * The one function of react-dom/server the unit tests use (react-dom ships no types, and
 * @types/react-dom is not a dependency): a component rendered to markup to read what it offers.
 */
declare module 'react-dom/server' {
  import type { ReactElement } from 'react';

  export function renderToStaticMarkup(element: ReactElement): string;
}
