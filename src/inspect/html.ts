/** Escaping for text and attribute values written into HTML and SVG. */
import { visible } from './visible-text';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup characters become entities; controls and bidi overrides become visible escapes (visible-text.ts). */
export function escapeHtml(text: string): string {
  return visible(text).replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/**
 * JSON safe to place inside a <script> element: `<` is escaped so that no
 * value (a room named "</script>") can end the element early.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
