/** The OpenAI-compatible surface (/api/v1): request parsing, models and chunk translation. */
export { createChatCompletion, CONVERSATION_HEADER } from "./chat-completions";
export { OpenAICompatError } from "./errors";
export { listModels, findModel, COMPAT_MODELS } from "./models";
export { ChatCompletionRequestSchema, parseChatCompletionRequest } from "./schema";
export { CompletionTranslator, encodeSseEvent } from "./translate";

/**
 * Largest request body: clients resend the whole history each time (Enclave only reads the
 * last message), so this is well above the size of one message.
 */
export const MAX_COMPLETION_BODY_BYTES = 1024 * 1024;
