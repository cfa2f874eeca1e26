/**
 * Runs once when the server starts. In embedded mode the server process owns the PGlite data
 * directory: it takes the lock, applies migrations and seeds a first run here, before serving,
 * so a second process on the same directory fails at once with a clear message.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrap } = await import("./lib/bootstrap");
  await bootstrap();
}
