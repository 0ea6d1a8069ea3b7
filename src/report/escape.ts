// Escaping for every markup the reports write (JUnit XML, HTML, inline SVG): one function, so
// an arbitrary string from a spec, a model or an error message can never break the document.

/**
 * Characters XML 1.0 cannot carry at all, not even as a character reference: C0 controls other
 * than tab/newline/CR, lone surrogates, U+FFFE and U+FFFF. They become U+FFFD.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // Written as references so parsers keep them: a raw CR is folded into LF, and raw tab/newline
  // inside attribute values are normalised to spaces.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Safe in element text and in single- or double-quoted attribute values. */
export function escapeXml(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ENTITY[c]);
}

/** For element text where line breaks should stay readable in the file (CR still escaped). */
export function escapeXmlText(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/[&<>\r]/g, (c) => ENTITY[c]);
}

/** What a conforming parser gives back for `escapeXml(s)`: s with unrepresentable characters replaced. */
export function xmlRepresentable(s: string): string {
  return s.replace(NOT_XML, '\uFFFD');
}
