// Runs the server's start-up (lib/bootstrap) against the configured database, and stops once it is ready.
import { bootstrap } from "@/lib/bootstrap";

await bootstrap();
process.stdout.write("Enclave ready\n");
process.exit(0);
