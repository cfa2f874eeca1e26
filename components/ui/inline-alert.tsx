/** A short error in a red box, announced at once (`role="alert"`); `className` adds spacing. */
export function InlineAlert({ className, children }: { className?: string; children: React.ReactNode }) {
  return (
    <p
      role="alert"
      className={`${className ? `${className} ` : ""}rounded-md bg-red-50 p-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200`}
    >
      {children}
    </p>
  );
}
