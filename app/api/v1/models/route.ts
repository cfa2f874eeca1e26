import { json, withPrincipal } from "@/lib/http/route";
import { listModels } from "@/lib/openai-compat";

export const dynamic = "force-dynamic";

export const GET = withPrincipal(async () => json(listModels()), { permission: "chat.send", reveal: true, errors: "openai" });
