import { UsageSkeleton } from "@/components/usage/usage-page-parts";

export default function Loading() {
  return <UsageSkeleton label="Loading your usage" />;
}
