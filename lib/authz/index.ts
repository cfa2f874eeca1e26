export * from "./catalog";
export * from "./authorize";
