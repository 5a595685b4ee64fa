/**
 * Who may call an operation. `x-access` says it as data; the generator also appends the same rule
 * to the description in words (lib/http/openapi.ts, `accessDescription`), with the roles or scope
 * behind a permission. The page shows the rest of that sentence next to the permission rather
 * than the whole of it a second time in the description. If its wording ever changes, nothing is
 * lost: the paragraph simply stays in the description.
 */
import type { ApiOperation } from "./document";

export type Access =
  | {
      kind: "permission";
      permission: string;
      /** What the permission allows and who holds it: `(Read one of one's own notes): a signed-in user or admin.` */
      detail?: string;
    }
  | { kind: "public"; reason: string };

export interface OperationText {
  /** The description's paragraphs, without the access sentence. */
  paragraphs: string[];
  access: Access;
}

export function operationText(operation: ApiOperation): OperationText {
  const paragraphs = (operation.description ?? "").split(/\n{2,}/).filter((paragraph) => paragraph.trim() !== "");
  const without = (paragraph: string) => paragraphs.filter((candidate) => candidate !== paragraph);
  const declared = operation["x-access"];
  if ("public" in declared) {
    return { paragraphs: without(`Public (no access token): ${declared.public}`), access: { kind: "public", reason: declared.public } };
  }
  // The sentence names the permission; the page names it from `x-access` and shows the rest.
  const lead = `Requires permission \`${declared.permission}\` `;
  const sentence = paragraphs.find((paragraph) => paragraph.startsWith(lead));
  if (sentence === undefined) return { paragraphs, access: { kind: "permission", permission: declared.permission } };
  return { paragraphs: without(sentence), access: { kind: "permission", permission: declared.permission, detail: sentence.slice(lead.length) } };
}
