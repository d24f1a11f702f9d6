/**
 * User text (graph names, labels, descriptions) placed in generated code. In
 * a comment it must not end the comment or start a line of code; in a string
 * it must stay one string literal.
 */

/** Characters that end a line for JavaScript: a `//` comment stops at any of them. */
const LINE_BREAKS = /\r\n|[\n\r\u2028\u2029]/g;

/** One line of comment text: line breaks become spaces, `*\/` cannot close a block comment, control characters go. */
export function commentText(text: string): string {
  return text
    .replace(LINE_BREAKS, ' ')
    .replace(/\*\//g, '*\\/')
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '') // control and bidi-override characters
    .trim();
}

/** Paragraphs of comment text: the line breaks kept as separate lines, each made safe. */
export function commentLines(text: string): string[] {
  return text.split(LINE_BREAKS).map(commentText);
}

/** A string literal for any text (JSON's escaping, plus the two line separators JavaScript once rejected). */
export function stringLiteral(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Wraps text into lines of at most `width` characters (for readable doc comments). */
export function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A package name npm accepts, from the graph's name. */
export function packageName(graphName: string): string {
  const slug = graphName
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'netloom-model';
}
