/** Per-user long-term memory and preferences (lib/memory). */
export {
  acceptMemory,
  addMemory,
  deleteMemory,
  editMemory,
  getMemory,
  getPreferences,
  listMemories,
  proposeMemory,
  recallMemories,
  rejectMemory,
  updatePreferences,
  RECALL_LIMIT,
  type ProposeResult,
} from "./memories";
export { memoryTools } from "./tools";
export * from "./schema";
