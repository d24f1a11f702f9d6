import { ts } from 'ts-morph';

/**
 * Indents printed TypeScript by its brackets, two spaces a level, in one scan
 * (the language service's formatter takes seconds on a large graph's file).
 * A line is one level deeper than the line that opened the innermost bracket
 * still open (and one more after a line ending in `=>`); a line that starts
 * by closing one sits at its opener's level.
 * Lines inside a template literal are kept as they are; the continuation
 * lines of a block comment follow its first line. Other spacing is the
 * printer's and the writers' own.
 */
export function indentCode(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const lines = text.split('\n');
  const lineStarts: number[] = [];
  for (let i = 0, at = 0; i < lines.length; at += lines[i]!.length + 1, i++) lineStarts.push(at);

  /** Open brackets, with the level of the line each was opened on; template holes (`${`) are transparent. */
  const open: { template: boolean; level: number }[] = [];
  const levelInside = () => {
    for (let i = open.length - 1; i >= 0; i--) if (!open[i]!.template) return open[i]!.level + 1;
    return 0;
  };
  const closerLevel = () => {
    for (let i = open.length - 1; i >= 0; i--) if (!open[i]!.template) return open[i]!.level;
    return 0;
  };

  const out: string[] = [];
  let line = 0;
  let lineLevel = 0;
  /** Lines whose start is inside a token (template text, block comment) and how to treat them. */
  const within = new Map<number, 'keep' | { comment: number }>();
  let previous = ts.SyntaxKind.Unknown;
  /** The line before ended with `=>`: its body continues one level in. */
  let arrowLine = -1;

  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.CloseBraceToken && open.at(-1)?.template) kind = scanner.reScanTemplateToken(false);
    if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && !endsExpression(previous)) kind = scanner.reScanSlashToken();
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia) continue;
    const start = scanner.getTokenStart();
    const end = scanner.getTokenEnd();

    // The first token of each line it starts on sets that line's level.
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= start) {
      line += 1;
      if (within.has(line)) continue;
      lineLevel = isCloser(kind) ? closerLevel() : levelInside() + (arrowLine === line - 1 ? 1 : 0);
      out[line] = '  '.repeat(lineLevel);
    }
    // A token over several lines: template text is kept, a comment's lines follow its first.
    for (let next = line + 1; next < lineStarts.length && lineStarts[next]! < end; next++) {
      within.set(next, kind === ts.SyntaxKind.MultiLineCommentTrivia ? { comment: lineLevel } : 'keep');
    }

    if (kind === ts.SyntaxKind.OpenBraceToken || kind === ts.SyntaxKind.OpenParenToken || kind === ts.SyntaxKind.OpenBracketToken) open.push({ template: false, level: lineLevel });
    else if (kind === ts.SyntaxKind.TemplateHead) open.push({ template: true, level: lineLevel });
    else if (isCloser(kind) || kind === ts.SyntaxKind.TemplateTail) open.pop();
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia && kind !== ts.SyntaxKind.MultiLineCommentTrivia) previous = kind;
    arrowLine = kind === ts.SyntaxKind.EqualsGreaterThanToken ? line : -1;
  }

  return lines
    .map((text, i) => {
      const how = within.get(i);
      if (how === 'keep') return text;
      const body = text.trimStart();
      if (body === '') return '';
      if (how) return `${'  '.repeat(how.comment)}${body.startsWith('*') ? ' ' : ''}${body}`;
      return `${out[i] ?? ''}${body}`;
    })
    .join('\n');
}

const isCloser = (kind: ts.SyntaxKind) => kind === ts.SyntaxKind.CloseBraceToken || kind === ts.SyntaxKind.CloseParenToken || kind === ts.SyntaxKind.CloseBracketToken;

/** After these a `/` divides; elsewhere it starts a regular expression. */
function endsExpression(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.Identifier ||
    kind === ts.SyntaxKind.NumericLiteral ||
    kind === ts.SyntaxKind.StringLiteral ||
    kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    kind === ts.SyntaxKind.TemplateTail ||
    kind === ts.SyntaxKind.CloseParenToken ||
    kind === ts.SyntaxKind.CloseBracketToken ||
    kind === ts.SyntaxKind.CloseBraceToken ||
    kind === ts.SyntaxKind.ThisKeyword
  );
}
