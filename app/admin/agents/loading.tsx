import { Spinner } from "@/components/ui/spinner";

/** While the server reads the agents (both the list and an agent's page). */
export default function AgentsLoading() {
  return (
    <div className="flex items-center gap-2 text-sm text-muted">
      <Spinner label="Loading agents" />
      Loading agents…
    </div>
  );
}
