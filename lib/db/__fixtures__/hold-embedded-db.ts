// Opens the embedded database the way the server does, says so, and holds it until killed.
import { getDatabase } from "@/lib/db/database";

await getDatabase();
process.stdout.write(`holding ${process.pid}\n`);
setInterval(() => {}, 1 << 30);
