/**
 * The models the compatibility API offers: one per Enclave agent. For now there is one, the
 * default assistant; which real model answers (the large tier) is decided inside the chat turn
 * by lib/models, not by the client.
 */
export interface CompatModel {
  id: string;
  description: string;
}

export const COMPAT_MODELS: readonly CompatModel[] = [{ id: "enclave", description: "Enclave's default assistant." }];

// A fixed date: the model ids are stable names, not deployments.
const CREATED = Math.floor(Date.UTC(2025, 0, 1) / 1000);

export interface OpenAIModel {
  id: string;
  object: "model";
  created: number;
  owned_by: "enclave";
}

export function listModels(): { object: "list"; data: OpenAIModel[] } {
  return { object: "list", data: COMPAT_MODELS.map((m) => ({ id: m.id, object: "model", created: CREATED, owned_by: "enclave" })) };
}

export function findModel(id: string): CompatModel | undefined {
  return COMPAT_MODELS.find((m) => m.id === id);
}
