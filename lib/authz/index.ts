export * from "./catalog";
export * from "./authorize";
export * from "./grants";
