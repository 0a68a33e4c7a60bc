/**
 * Taro's components as plain HTML elements, enough to render a component to markup under Node and
 * read what it offers (react-dom/server). Events are not simulated: behaviour is proven in the browser test.
 */
import { createElement, type ReactNode } from 'react';

type Props = { children?: ReactNode; className?: string; id?: string; [prop: string]: unknown };

function host(tag: string) {
  return function Host({ children, className, id }: Props) {
    return createElement(tag, { className, id }, children);
  };
}

export const View = host('div');
export const Text = host('span');
export const Image = host('img');
export const Input = host('input');
export const Textarea = host('textarea');

/** A selector picker's choices are drawn by WeChat, not by the page: listed here as options to read. */
export function Picker({ children, range }: Props) {
  const choices = Array.isArray(range) ? (range as string[]) : [];
  return createElement(
    'div',
    { className: 'picker' },
    createElement('select', null, ...choices.map((choice) => createElement('option', { key: choice }, choice))),
    children,
  );
}
