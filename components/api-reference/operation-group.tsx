import type { ApiDocument } from "./document";
import { Operation } from "./operation";
import type { OperationGroup as Group } from "./operations";

export function OperationGroup({ group, document }: { group: Group; document: ApiDocument }) {
  return (
    <section aria-labelledby={group.id} className="space-y-4">
      <h2 id={group.id} className="scroll-mt-6 font-mono text-xl font-semibold tracking-tight">
        {group.title}
      </h2>
      {group.operations.map((entry) => (
        <Operation key={entry.operation.operationId} entry={entry} document={document} />
      ))}
    </section>
  );
}
