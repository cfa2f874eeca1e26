import { Spinner } from "@/components/ui/spinner";

export default function Loading() {
  return (
    <div className="flex h-full items-center justify-center text-neutral-500">
      <Spinner label="Loading conversation" />
    </div>
  );
}
