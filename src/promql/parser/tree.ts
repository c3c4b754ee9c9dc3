/**
 * The lezer-promql syntax tree as the parser walks it: the node type and named children without comments.
 */
import * as T from '@prometheus-io/lezer-promql';

export type Tree = ReturnType<typeof T.parser.parse>;
export type SyntaxNode = Tree['topNode'];

/** Named children without comments (lezer leaves anonymous tokens such as "(" out, but keeps `# …`). */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.type.id !== T.LineComment) out.push(c);
  return out;
}
